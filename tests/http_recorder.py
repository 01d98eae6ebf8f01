"""A real HTTP server on 127.0.0.1 that records every request it receives (for the notification
channels: webhook, WeCom and DingTalk robots, the SMS gateway)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict
    headers: dict  # names in lower case
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw)


@dataclass
class Recorder:
    """`answers`: (status, body) or (status, body, seconds to wait first) given in turn, then 200
    `default_body`; `delay`: seconds every request waits."""

    received: list[Received] = field(default_factory=list)
    answers: list[tuple] = field(default_factory=list)
    default_body: bytes = b'{"errcode": 0, "errmsg": "ok"}'
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                with recorder.lock:
                    recorder.received.append(
                        Received(
                            parts.path,
                            parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            raw,
                        )
                    )
                    answer = (
                        recorder.answers.pop(0)
                        if recorder.answers
                        else (200, recorder.default_body)
                    )
                status, body, wait = (*answer, recorder.delay)[:3]
                if wait:
                    time.sleep(wait)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
