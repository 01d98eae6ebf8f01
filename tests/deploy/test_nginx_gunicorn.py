"""The production setup end to end: a real nginx with deploy/'s site in front of a real gunicorn
with deploy/gunicorn.conf.py, GRIDREACH_ENV=production, on free 127.0.0.1 ports."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deploy.nginx_site import ROOT, free_port, nginx_binary, render

CLIENT = "127.0.0.2"  # the phone: another loopback address than nginx's own 127.0.0.1
FORGED = "203.0.113.9"


def _wait(check, what: str, process: subprocess.Popen, seconds: float = 40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not start within {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stack(app, tmp_path, redis_server):
    """gunicorn (two workers sharing login limits in Redis) on the test database, nginx in front;
    yields (nginx, app log, redis)."""
    nginx_binary()
    app_port = free_port()
    log_file = tmp_path / "app.log"
    env = {
        **os.environ,
        "GRIDREACH_ENV": "production",
        "SECRET_KEY": "a-long-random-production-secret",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRUSTED_PROXIES": "1",
        "LOG_FILE": str(log_file),
        "LOG_LEVEL": "INFO",
        "WEB_CONCURRENCY": "2",
        "RATELIMIT_STORAGE_URI": redis_server.url,
        "GUNICORN_THREADS": "2",
    }
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{app_port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    nginx = render(tmp_path / "nginx", app_port)
    server = None
    try:
        _wait(lambda: _plain("127.0.0.1", app_port, "/healthz").status == 200, "gunicorn", gunicorn)
        server = subprocess.Popen(
            nginx.command("-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _wait(lambda: _plain("127.0.0.1", nginx.http_port, "/").status == 301, "nginx", server)
        yield nginx, log_file, redis_server
    finally:
        if server is not None:
            _stop(server)
        _stop(gunicorn)


def _plain(host: str, port: int, path: str):
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _https(nginx, path: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    context = ssl.create_default_context(cafile=str(nginx.cert))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", nginx.https_port, context=context, timeout=20, source_address=(CLIENT, 0)
    )
    connection.request("GET", path, headers={"Accept-Encoding": "gzip", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response, body


def _https_post(nginx, path: str, body: dict) -> http.client.HTTPResponse:
    context = ssl.create_default_context(cafile=str(nginx.cert))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", nginx.https_port, context=context, timeout=20, source_address=(CLIENT, 0)
    )
    connection.request(
        "POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _redis_keys(redis) -> bytes:
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as connection:
        connection.sendall(b"KEYS *\r\n")
        time.sleep(0.2)
        return connection.recv(65536)


def test_the_documented_stack_serves_chinese_pages_over_https(stack):
    nginx, log_file, _redis = stack

    redirect = _plain("127.0.0.1", nginx.http_port, "/login")
    assert redirect.status == 301 and redirect.getheader("Location") == "https://127.0.0.1/login"

    login, html = _https(nginx, "/login?next=/", {"X-Forwarded-For": FORGED})
    assert login.status == 200 and login.getheader("Content-Encoding") == "gzip"
    page = html.decode("utf-8")
    assert '<html lang="zh-CN"' in page and "<h1>登录</h1>" in page
    request_id = login.getheader("X-Request-ID")
    csp = login.getheader("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert login.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert login.getheader("Referrer-Policy") == "same-origin"
    assert request_id and re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id

    css, _ = _https(nginx, "/static/css/app.css")
    assert css.status == 200 and css.getheader("Content-Encoding") == "gzip"
    assert (
        "max-age=86400" in css.getheader("Cache-Control", "")
        and css.getheader("X-Request-ID") is None
    )
    for name in (
        "Content-Security-Policy",
        "Referrer-Policy",
        "Permissions-Policy",
        "Strict-Transport-Security",
    ):
        assert css.getheader(name), f"nginx serves static files without {name}"
    assert css.getheader("X-Content-Type-Options") == "nosniff"
    vendor, _ = _https(nginx, "/static/vendor/leaflet/leaflet.js")
    assert vendor.status == 200 and "max-age=2592000" in vendor.getheader("Cache-Control", "")
    # The pages name each file with its hash: those URLs are kept a year and never revalidated.
    versioned = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', page).group(1)
    css, _ = _https(nginx, versioned)
    assert css.status == 200 and css.getheader("Content-Encoding") == "gzip"
    assert "max-age=31536000" in css.getheader("Cache-Control", "")
    assert "immutable" in css.getheader("Cache-Control", "")
    vendor, _ = _https(nginx, "/static/vendor/leaflet/leaflet.js?v=0123456789")
    assert "max-age=31536000" in vendor.getheader("Cache-Control", "")

    ready, state = _https(nginx, "/readyz")
    assert ready.status == 200, state
    code, _ = _https(nginx, "/c/12-1.SecretSignaturePart?lang=en")
    assert code.status == 200  # signed out: the public page

    log = log_file.read_text(encoding="utf-8")
    line = next((x for x in log.splitlines() if f"gridreach.request [{request_id}]" in x), None)
    assert line is not None, log[-3000:]
    assert (
        " GET /login status=200 " in line and f"addr={CLIENT} " in line
    )  # the phone's, not nginx's
    assert FORGED not in log and "/static/" not in log  # static files never reach the app
    assert re.search(rf"gunicorn\.access \[-\] {request_id} \"GET /login\" 200 ", log)
    for _ in range(50):  # nginx writes its line once the answer has left
        access = nginx.access_log.read_text(encoding="utf-8")
        if "/c/" in access:
            break
        time.sleep(0.1)
    assert request_id in access and '"GET /c/<token>" 200' in access
    for secret in ("SecretSignaturePart", "lang=en", "next="):
        assert secret not in log and secret not in access


def test_the_documented_stack_counts_failed_logins_in_redis(stack):
    """Both gunicorn workers count one account's failures in the one Redis: the 11th is refused."""
    nginx, _log, redis = stack
    statuses = [
        _https_post(
            nginx, "/api/v1/auth/token", {"username": "nobody-here", "password": "Wrong-Pass-1"}
        ).status
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429, statuses
    assert b"nobody-here" in _redis_keys(redis)  # the counter lives in Redis, not in a worker
