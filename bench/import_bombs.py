"""Hostile import files: peak memory and time to answer, against a small valid import as the baseline.

    .venv/bin/python bench/import_bombs.py                                   # SQLite files in bench/out/
    .venv/bin/python bench/import_bombs.py --database-url postgresql://USER@HOST:PORT/DBNAME

The database named is emptied (every table dropped and rebuilt): give it a scratch one.
Each case runs in a fresh Python process that builds the app, a small district and a
coordinator, then POSTs one file to /api/v1/households/import through the real HTTP stack
(Flask's test client); for files that become background jobs it then runs the worker once
(`jobs.work(once=True)`) and reads GET /api/v1/jobs/ID. Printed per case: the answer's
status, seconds to answer, the answer's size, and the process's peak resident size
(ru_maxrss) as a ratio to the baseline process's (the same setup importing 100 valid rows).
The bombs are written to bench/out/ first; each is a few MB or less on disk.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.xlsx_bombs import repeated, write_xlsx  # noqa: E402

OUT = ROOT / "bench" / "out" / "bombs"
MB = 1024 * 1024
HEADER_STRINGS = b"<si><t>grid</t></si><si><t>label</t></si>"
HEADER_ROW = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def xlsx(path: Path, strings=(HEADER_STRINGS,), rows=(HEADER_ROW,)) -> None:
    """A workbook laid out as Excel writes it, its parts streamed from chunks (tests/xlsx_bombs.py)."""
    write_xlsx(path, strings, rows)


def csv_rows(path: Path, count: int, grid: str = "{grid}", bad: bool = False) -> None:
    with path.open("wb") as out:
        out.write(b"grid,label\n")
        for start in range(0, count, 10_000):
            part = range(start, min(start + 10_000, count))
            cell = "nowhere" if bad else grid
            out.write("".join(f"{cell},{i // 1000}-{i % 1000 // 10}-{i}\n" for i in part).encode())


CASES = {  # name: (what it is, builder)
    "baseline": ("100 valid rows (CSV)", lambda p: csv_rows(p, 100)),
    "csv_1m_rows": ("1,000,000-row CSV (23 MB)", lambda p: csv_rows(p, 1_000_000)),
    "csv_33mb": (
        "33 MB CSV (past the byte limit)",
        lambda p: p.write_bytes(b"grid,label\n1," + b"x" * (33 * MB) + b"\n"),
    ),
    "shared_strings_500mb": (
        "XLSX, shared strings inflating to 500 MB",
        lambda p: xlsx(
            p, strings=repeated(HEADER_STRINGS, b"<si><t>" + b"x" * 1000 + b"</t></si>", 500_000)
        ),
    ),
    "shared_strings_30mb_tiny": (
        "XLSX, 1.1 M tiny shared strings (past the count)",
        lambda p: xlsx(p, strings=repeated(HEADER_STRINGS, b"<si><t>ab</t></si>", 1_100_000)),
    ),
    "sheet_500mb": (
        "XLSX, sheet inflating to 500 MB",
        lambda p: xlsx(
            p,
            rows=repeated(
                HEADER_ROW,
                b'<row><c t="inlineStr"><is><t>' + b"x" * 4000 + b"</t></is></c></row>",
                125_000,
                1_000,
            ),
        ),
    ),
    "sheet_190mb_under": (
        "XLSX, sheet of 190 MB (under the limit, 47,000 rows): queued",
        lambda p: xlsx(
            p,
            rows=repeated(
                HEADER_ROW,
                b'<row><c t="inlineStr"><is><t>' + b"x" * 4000 + b"</t></is></c></row>",
                47_000,
                1_000,
            ),
        ),
    ),
    "sparse_row": (
        "XLSX, one cell on row 1,000,000",
        lambda p: xlsx(
            p, rows=(HEADER_ROW, b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>')
        ),
    ),
    "bad_rows_200k": (
        "200,000 bad rows (CSV): queued, worker run",
        lambda p: csv_rows(p, 200_000, bad=True),
    ),
    "valid_200k": ("200,000 valid rows (CSV): queued, worker run", lambda p: csv_rows(p, 200_000)),
}


def run_case(name: str, path: Path, database_url: str) -> dict:
    """In this (fresh) process: set up, POST the file, run the worker for a job; the figures."""
    from app import create_app
    from app.extensions import db
    from app.services import jobs
    from config import TestingConfig
    from tests.factories import build_district, make_api_token

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        district = build_district()
        grid, coordinator = district.a.grids[0], district.a.coordinator
        headers = {"Authorization": f"Bearer {make_api_token(user=coordinator)}"}
        data = path.read_bytes().replace(b"{grid}", str(grid.id).encode())
        client = app.test_client()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/households/import?lang=en",
            headers=headers,
            data={"file": (io.BytesIO(data), path.name)},
            content_type="multipart/form-data",
        )
        seconds = time.perf_counter() - started
        del data
        result = {
            "case": name,
            "status": response.status_code,
            "seconds": seconds,
            "answer_bytes": len(response.data),
            "message": (response.get_json() or {}).get("message"),
        }
        if response.status_code == 202:
            started = time.perf_counter()
            with app.app_context():  # the worker's own session, as in its own process
                jobs.work(once=True)
            result["worker_seconds"] = time.perf_counter() - started
            job = client.get(f"/api/v1/jobs/{response.get_json()['job_id']}", headers=headers)
            body = job.get_json()
            result["job"] = {
                "status": body["status"],
                "report_bytes": len(job.data),
                "created": (body["report"] or {}).get("created"),
                "error_count": (body["report"] or {}).get("error_count"),
            }
        db.session.remove()
        db.drop_all()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak resident size (VmHWM: unlike ru_maxrss, not inherited across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=None, help="a scratch database (default: SQLite in bench/out/)"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", nargs="*", default=None, help="run these cases (and the baseline)"
    )
    args = parser.parse_args()
    from config import database_url

    url = database_url(args.database_url, f"sqlite:///{OUT / 'bombs.db'}")
    if args.case:
        print(json.dumps(run_case(args.case, OUT / args.case, url)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    names = [
        "baseline",
        *[n for n in CASES if n != "baseline" and (args.only is None or n in args.only)],
    ]
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"import bombs on {engine}: each case a fresh process; RSS ratio to the baseline process")
    print(
        f"{'case':<58} {'status':>6} {'answer':>8} {'size':>9} {'peak RSS':>9} {'ratio':>6}  notes"
    )
    baseline = None
    for name in names:
        label, build = CASES[name]
        path = OUT / name
        build(path)
        command = [sys.executable, __file__, "--case", name]
        if args.database_url:
            command += ["--database-url", args.database_url]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{label:<58} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        baseline = baseline or result["peak_rss_mb"]
        notes = result["message"] or ""
        if "job" in result:
            job = result["job"]
            notes = (
                f"worker {result['worker_seconds']:.1f} s, {job['status']}, created {job['created']}, "
                f"errors {job['error_count']}, report {job['report_bytes'] / 1024:.0f} kB"
            )
        print(
            f"{label:<58} {result['status']:>6} {result['seconds']:>7.2f}s {path.stat().st_size / MB:>7.2f}MB "
            f"{result['peak_rss_mb']:>7.0f}MB {result['peak_rss_mb'] / baseline:>6.2f}  {notes}"
        )
        path.unlink()


if __name__ == "__main__":
    main()
