"""Two web hosts behind one nginx: deploy/nginx/upstream-several-hosts.conf's upstream with two
gunicorn instances (production settings, one Redis, photos in an S3 bucket on moto's server) on
127.0.0.1. Sessions, CSRF tokens, login limits and photos work whichever instance answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests import factories
from tests.deploy.nginx_site import ROOT, free_port, nginx_binary, render, several_hosts_upstream
from tests.deploy.test_nginx_gunicorn import _plain, _stop, _wait
from tests.redis_server import start_redis_server
from tests.s3_server import start_s3_server

requests = pytest.importorskip("requests")


class Hosts:
    def __init__(self, nginx, logs: list[Path], bucket: str, s3):
        self.nginx, self.logs, self.bucket, self.s3 = nginx, logs, bucket, s3
        self.base = f"https://127.0.0.1:{nginx.https_port}"
        # What a browser sends as Referer on 443: nginx passes the host without its port (`$host`),
        # and the CSRF check compares the two.
        self.origin = "https://127.0.0.1"

    def browser(self):
        session = requests.Session()
        session.trust_env = False  # a CA bundle named in the environment would replace ours
        session.verify = str(self.nginx.cert)
        return session

    def answered_by(self, response) -> int:
        """Which instance (0 or 1) logged the answer's request id."""
        request_id = response.headers["X-Request-ID"]
        for _ in range(50):
            for index, log in enumerate(self.logs):
                if log.exists() and f"[{request_id}]" in log.read_text(encoding="utf-8"):
                    return index
            time.sleep(0.1)
        raise AssertionError(f"no instance logged request {request_id}")


@pytest.fixture(scope="module")
def stack(app, tmp_path_factory):
    """Started once for the module (each start costs seconds): two gunicorns, nginx, Redis, S3."""
    nginx_binary()
    tmp_path = tmp_path_factory.mktemp("two-hosts")
    redis_server = start_redis_server()
    s3 = start_s3_server()
    bucket = s3.new_bucket()
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"host{i}.log" for i in range(2)]
    processes = []
    server = None
    try:
        for port, log in zip(ports, logs, strict=True):
            env = {
                **os.environ,
                **s3.settings(bucket),
                "GRIDREACH_ENV": "production",
                "SECRET_KEY": "the-same-long-random-secret-on-every-host",
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "TRUSTED_PROXIES": "1",
                "LOG_FILE": str(log),
                "LOG_LEVEL": "INFO",
                "WEB_CONCURRENCY": "1",
                "GUNICORN_THREADS": "2",
                "RATELIMIT_STORAGE_URI": redis_server.url,
                "GUNICORN_CMD_ARGS": f"--bind=127.0.0.1:{port}",
                "PHOTO_DIR": str(log.with_suffix(".photos")),  # must stay unused
            }
            processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "-c",
                        "deploy/gunicorn.conf.py",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            _wait(
                lambda p=port: _plain("127.0.0.1", p, "/healthz").status == 200, "gunicorn", process
            )
        nginx = render(tmp_path / "nginx", ports[0], upstream=several_hosts_upstream(ports))
        server = subprocess.Popen(
            nginx.command("-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _wait(lambda: _plain("127.0.0.1", nginx.http_port, "/").status == 301, "nginx", server)
        yield Hosts(nginx, logs, bucket, s3)
    finally:
        if server is not None:
            _stop(server)
        for process in processes:
            _stop(process)
        s3.stop()
        redis_server.stop()


@pytest.fixture
def two_hosts(stack, committing):
    """The stack, with what a test writes to the database removed after it."""
    return stack


def _csrf(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)


def test_a_session_and_its_csrf_token_work_on_either_host(two_hosts):
    district = factories.build_district()
    browser = two_hosts.browser()
    form = browser.get(f"{two_hosts.base}/login")
    assert form.status_code == 200
    login = browser.post(
        f"{two_hosts.base}/login",
        data={
            "csrf_token": _csrf(form.text),
            "username": district.a.worker.username,
            "password": factories.PASSWORD,
        },
        headers={"Referer": f"{two_hosts.origin}/login"},
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[-800:]
    # Round robin: the form came from one host, the post went to the other.
    assert {two_hosts.answered_by(form), two_hosts.answered_by(login)} == {0, 1}
    pages = [browser.get(f"{two_hosts.base}/", allow_redirects=False) for _ in range(4)]
    assert [p.status_code for p in pages] == [200] * 4
    assert {two_hosts.answered_by(p) for p in pages} == {0, 1}
    assert all(district.a.worker.display_name in p.text for p in pages)

    logout_form = browser.get(f"{two_hosts.base}/")
    logout = browser.post(
        f"{two_hosts.base}/logout",
        data={"csrf_token": _csrf(logout_form.text)},
        headers={"Referer": f"{two_hosts.origin}/"},
        allow_redirects=False,
    )
    assert logout.status_code == 302
    assert two_hosts.answered_by(logout_form) != two_hosts.answered_by(logout)
    after = [browser.get(f"{two_hosts.base}/", allow_redirects=False) for _ in range(2)]
    assert [p.status_code for p in after] == [302, 302]  # signed out on both


def test_failed_logins_count_once_across_both_hosts(two_hosts):
    browser = two_hosts.browser()
    answers = [
        browser.post(
            f"{two_hosts.base}/api/v1/auth/token",
            json={"username": "somebody-else", "password": "Wrong-Pass-1"},
        )
        for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert {two_hosts.answered_by(a) for a in answers[:10]} == {0, 1}  # five each


def test_a_photo_uploaded_through_one_host_is_read_through_the_other(two_hosts):
    district = factories.build_district()
    token = factories.make_api_token(user=district.a.worker)
    from app.extensions import db

    db.session.commit()
    browser = two_hosts.browser()
    browser.headers["Authorization"] = f"Bearer {token}"
    upload = browser.post(
        f"{two_hosts.base}/api/v1/photos",
        data={"client_id": str(uuid.uuid4())},
        files={"file": ("photo.jpg", factories.tiny_jpeg(size=(320, 240)), "image/jpeg")},
    )
    assert upload.status_code == 201, upload.text[:500]
    photo = upload.json()["id"]
    reads = [browser.get(f"{two_hosts.base}/api/v1/photos/{photo}") for _ in range(2)]
    assert [r.status_code for r in reads] == [200, 200]
    assert reads[0].content == reads[1].content and reads[0].content[:2] == b"\xff\xd8"
    assert {two_hosts.answered_by(r) for r in reads} == {0, 1}
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=two_hosts.s3.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test-access",
        aws_secret_access_key="test-secret",
    )
    stored = s3.list_objects_v2(Bucket=two_hosts.bucket).get("Contents", [])
    assert len(stored) == 1  # in the bucket, on neither host's disk
    assert not any(log.with_suffix(".photos").exists() for log in two_hosts.logs)
