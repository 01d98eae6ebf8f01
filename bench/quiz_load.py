"""The public quiz: the weight of its page, and POST /quiz-responses against gunicorn on
127.0.0.1 as a ratio to GET /healthz measured in the same run.

    .venv/bin/python bench/quiz_load.py                     # SQLite: a fresh file database
    .venv/bin/python bench/quiz_load.py --duration 10 --connections 16,64

A fresh schema seeded through the services (one street, community, grid, site, and a quiz of
10 questions from the shipped bank, its allowance per address raised for the load, as a
coordinator would for a school); gunicorn (2 sync workers) on a free loopback port. The weight:
every byte of the quiz page, its styles and its script (uncompressed, as the contract counts),
and the same for the public page a scanned site code opens. The rate: --duration seconds each of
GET /healthz (the baseline) and POST /quiz-responses (bench/loadgen.py, a fresh client_id
per sheet) in alternating slices; then the stored rows are checked against the 2xx answers.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import (  # noqa: E402
    free_port,
    line,
    server_env,
    start_gunicorn,
    stop,
    stored_rows,
)
from bench.loadgen import Run, run_load  # noqa: E402

BUDGET = 100_000


def seed(url: str) -> dict:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.quiz_load import _seed_here; "
        "_seed_here()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=server_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed_here() -> None:
    """(In the child) an area tree, a site and a 10-question quiz, through the services."""
    from app import create_app, qr
    from app.content.quiz_bank import bank_questions
    from app.extensions import db
    from app.services import areas, quizzes, sites, users
    from config import ProductionConfig

    app = create_app(ProductionConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin = users.build_user(
            {"username": "bench-admin", "password": "Bench-load-2024!", "role": "admin"}
        )
        street = areas.create_area(admin, {"name": "压测街道", "level": "street"})
        community = areas.create_area(
            admin, {"name": "压测社区", "level": "community", "parent_id": street.id}
        )
        grid = areas.create_area(
            admin, {"name": "网格1", "level": "grid", "parent_id": community.id}
        )
        site = sites.create_site(
            admin,
            {"name": "点位", "kind": "board", "area_id": grid.id, "lat": 29.9, "lng": 121.5},
        )
        questions = bank_questions(range(10))
        quiz = quizzes.create_quiz(
            admin,
            {
                "title": "压测问答",
                "audience": "residents",
                "area_id": community.id,
                "pass_mark": 0.6,
                "questions": questions,
                "address_allowance": 100_000,
            },
        )
        plan = {
            "quiz": quiz.token,
            "site": qr.site_token(site),
            "answers": [[q["answer"][0]] for q in questions],
        }
        db.session.commit()
    print(json.dumps(plan))


def page_weight(port: int, path: str) -> tuple[int, list[tuple[int, str]]]:
    """Bytes of a page and of the styles and scripts it names (uncompressed)."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + path, timeout=10) as response:
        html = response.read()
    parts = [(len(html), path)]
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        with urllib.request.urlopen(base + asset.decode(), timeout=10) as response:
            parts.append((len(response.read()), asset.decode()))
    return sum(size for size, _ in parts), parts


def answer_request(plan: dict, port: int):
    rng = random.Random()
    host = f"127.0.0.1:{port}".encode()

    def make() -> bytes:
        answers = [a if rng.random() < 0.8 else [0] for a in plan["answers"]]
        body = json.dumps(
            {
                "token": plan["quiz"],
                "client_id": str(uuid.uuid4()),
                "answers": answers,
                "elapsed_ms": rng.randint(25_000, 120_000),
            }
        ).encode()
        return (
            b"POST /api/v1/quiz-responses HTTP/1.1\r\nHost: "
            + host
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    return make


def healthz_request(port: int):
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    return lambda: request


def measure(port: int, plan: dict, connections: int, args) -> tuple[dict, dict]:
    """/healthz and POST /quiz-responses in alternating slices, by the same generator, so that
    whatever else the machine does weighs on both alike."""
    health, answers = Run(), Run()
    slice_s = max(1, round(args.duration / args.rounds))
    for _ in range(args.rounds):
        for merged, make in (
            (health, healthz_request(port)),
            (answers, answer_request(plan, port)),
        ):
            run = run_load("127.0.0.1", port, make, connections, slice_s)
            merged.latencies += run.latencies
            merged.statuses.update(run.statuses)
            merged.socket_errors += run.socket_errors
            merged.wall_s += run.wall_s
            merged.cpu_s += run.cpu_s
    return health.summary(), answers.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each, per count")
    parser.add_argument("--rounds", type=int, default=2, help="alternating slices")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    args.worker_class, args.threads = "sync", 1
    folder = Path(tempfile.mkdtemp(prefix="gridreach-quiz-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    plan = seed(url)
    port = free_port()
    server = start_gunicorn(url, port, args)
    ok_answers = 0
    try:
        for label, path in (
            ("quiz page", f"/q/{plan['quiz']}"),
            ("site code, public", f"/c/{plan['site']}"),
        ):
            total, parts = page_weight(port, path)
            detail = ", ".join(f"{p} {n}" for n, p in parts)
            verdict = "under" if total < BUDGET else "OVER"
            print(f"{label}: {total} bytes ({verdict} the 100 kB budget): {detail}")
        for c in (int(x) for x in args.connections.split(",")):
            health, answers = measure(port, plan, c, args)
            ok_answers += answers["ok"]
            ratio = answers["rps"] / health["rps"] if health["rps"] else 0.0
            print(f"  {c} connections")
            print(line("GET /healthz", health))
            print(line("POST /quiz-responses", answers))
            print(f"  {'ratio':<18} answers / healthz = 1/{1 / ratio:.1f}" if ratio else "  n/a")
    finally:
        stop(server)
    rows = stored_rows(url, "quiz_responses")
    print(
        f"  rows in quiz_responses {rows}, answers 2xx {ok_answers}: "
        f"{'equal' if rows == ok_answers else 'MISMATCH'}"
    )


if __name__ == "__main__":
    main()
