"""Benchmark the notification sender against a bare insert+select loop, in the same run.

    .venv/bin/python bench/notify_sender.py                                   # SQLite file in bench/out/
    .venv/bin/python bench/notify_sender.py postgresql://USER@HOST:PORT/DBNAME --count 2000

The database named is emptied (every table dropped and rebuilt): give it a scratch one.
It writes COUNT notifications through the outbox (one worker each, the configured channel), then
times `send_due` delivering them all: through the log channel (the database work alone), and
through the JSON webhook to a local HTTP server on 127.0.0.1 (claim, load, POST, mark), with one
sender and with two senders in threads at once. The baseline is a loop of COUNT iterations of
INSERT one row + SELECT it back + COMMIT on a scratch table of the same database, run in the same
process just before: the ratio says how many baseline iterations one delivered message costs.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent / "out"


class Quiet(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def baseline(db, count: int) -> float:
    """Seconds for COUNT x (INSERT + SELECT + COMMIT) on a scratch table."""
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_loop"))
        conn.execute(text("CREATE TABLE bench_loop (id INTEGER PRIMARY KEY, body VARCHAR(200))"))
    started = time.perf_counter()
    with db.engine.connect() as conn:
        for i in range(1, count + 1):
            conn.execute(
                text("INSERT INTO bench_loop (id, body) VALUES (:i, :b)"), {"i": i, "b": "x" * 100}
            )
            conn.execute(text("SELECT body FROM bench_loop WHERE id = :i"), {"i": i}).scalar()
            conn.commit()
    return time.perf_counter() - started


def fill(db, count: int) -> None:
    from app.models import Notification, NotificationDelivery, NotificationRecipient, User
    from app.services.notifications.outbox import notify

    db.session.execute(NotificationDelivery.__table__.delete())
    db.session.execute(NotificationRecipient.__table__.delete())
    db.session.execute(Notification.__table__.delete())
    user = db.session.scalar(db.select(User).where(User.username == "bench-worker"))
    if user is None:
        user = User(
            username="bench-worker", password_hash="x", role="worker", display_name="网格员"
        )
        db.session.add(user)
        db.session.flush()
    for i in range(count):
        notify("task_assigned", [user], f"新任务 {i}", "截止：12-01 18:00")
    db.session.commit()


def timed_send(app, db, senders: int) -> tuple[float, int]:
    from app.services.notifications.sender import send_due

    sent = []

    def one():
        with app.app_context():
            sent.append(send_due()["sent"])
            db.session.remove()

    started = time.perf_counter()
    threads = [threading.Thread(target=one) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(sent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url", nargs="?", default=f"sqlite:///{OUT / 'notify.db'}")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)

    from app import create_app
    from app.extensions import db
    from config import Config, database_url

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    class Bench(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url, "")
        LOG_LEVEL = "WARNING"

    app = create_app(Bench)
    engine = Bench.SQLALCHEMY_DATABASE_URI.split(":", 1)[0]
    with app.app_context():
        db.drop_all()
        db.create_all()
        base = baseline(db, args.count)
        print(f"{engine}: baseline insert+select+commit: {args.count / base:,.0f}/s")
        runs = [
            ("log channel, 1 sender", "", 1),
            ("webhook, 1 sender", "json", 1),
            ("webhook, 2 senders", "json", 2),
        ]
        for label, fmt, senders in runs:
            app.config["NOTIFY_WEBHOOK_URL"] = (
                f"http://127.0.0.1:{server.server_address[1]}/hook" if fmt else ""
            )
            fill(db, args.count)
            db.session.remove()
            seconds, sent = timed_send(app, db, senders)
            rate = sent / seconds
            print(
                f"{engine}: {label}: {sent} sent in {seconds:.2f} s = {rate:,.0f}/s; "
                f"one message costs {(args.count / base) / rate:.1f} baseline iterations"
            )
        db.session.remove()
        db.drop_all()
    server.shutdown()


if __name__ == "__main__":
    main()
