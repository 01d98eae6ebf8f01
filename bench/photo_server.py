"""The app as gunicorn serves it for bench/photo_upload.py, plus one bare endpoint for the
baseline: POST /bench/discard reads the request body in 64 kB chunks and throws it away."""

from __future__ import annotations

from app import create_app

_app = create_app()


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/discard":
        stream, left = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
        while left > 0:
            chunk = stream.read(min(65536, left))
            if not chunk:
                break
            left -= len(chunk)
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]
    return _app(environ, start_response)
