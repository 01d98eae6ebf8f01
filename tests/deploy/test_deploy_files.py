"""deploy/: the nginx site passes `nginx -t` and agrees with the app's limits, gunicorn picks
its workers by engine, the systemd units run what exists with the documented environment."""

from __future__ import annotations

import configparser
import re
import runpy
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from config import Config
from tests.deploy.nginx_site import SITE, render

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
SIZES = {"k": 1024, "m": 1024**2, "g": 1024**3}


def test_nginx_accepts_bodies_exactly_as_large_as_the_app():
    site = SITE.read_text(encoding="utf-8")
    sizes = re.findall(r"^\s*client_max_body_size\s+(\d+)([kmg]?);", site, re.M | re.I)
    assert len(sizes) == 1, "one client_max_body_size, in the HTTPS server"
    number, unit = sizes[0]
    assert int(number) * SIZES.get(unit.lower(), 1) == Config.MAX_CONTENT_LENGTH


def test_nginx_accepts_the_site(tmp_path):
    nginx = render(tmp_path / "nginx", app_port=8000)
    result = subprocess.run(nginx.command("-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.mark.parametrize(
    ("url", "worker_class", "threads"),
    [
        ("sqlite:////srv/gridreach/instance/gridreach.db", "sync", None),
        ("", "sync", None),
        ("postgresql://gridreach:pw@127.0.0.1:5432/gridreach", "gthread", 4),
        ("postgres://gridreach@db/gridreach", "gthread", 4),
    ],
)
def test_gunicorn_picks_its_workers_by_engine(monkeypatch, url, worker_class, threads):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["worker_class"] == worker_class and settings.get("threads") == threads
    assert 2 <= settings["workers"] <= 8 and settings["bind"] == ["127.0.0.1:8000"]
    assert settings["timeout"] >= 120 and "{x-request-id}o" in settings["access_log_format"]
    assert "gunicorn.access" in settings["logconfig_dict"]["loggers"]
    assert settings["control_socket_disable"] is True


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(UNITS / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("gridreach-web.service", ".venv/bin/gunicorn -c deploy/gunicorn.conf.py"),
        ("gridreach-worker.service", ".venv/bin/flask --app app worker"),
        ("gridreach-notify.service", ".venv/bin/flask --app app send-notifications"),
        ("gridreach-daily-report.service", ".venv/bin/flask --app app send-daily-report"),
        ("gridreach-roll-campaigns.service", ".venv/bin/flask --app app roll-campaigns"),
        ("gridreach-purge-expired.service", ".venv/bin/flask --app app purge-expired"),
        ("gridreach-partitions.service", ".venv/bin/flask --app app partitions create-ahead"),
    ],
)
def test_each_service_runs_from_the_checkout_with_the_shared_environment(app, service, command):
    unit = _unit(service)["Service"]
    assert (
        unit["EnvironmentFile"] == "/etc/gridreach/env"
        and unit["WorkingDirectory"] == "/srv/gridreach"
    )
    assert unit["ExecStart"] == f"/srv/gridreach/{command}"
    words = shlex.split(command)
    if words[-1] in ("roll-campaigns", "purge-expired", "send-notifications", "send-daily-report"):
        assert words[-1] in app.cli.commands  # (the worker command comes with the job queue)
    if words[-2:] == ["partitions", "create-ahead"]:
        assert "create-ahead" in app.cli.commands["partitions"].commands
    if "-c" in words:
        assert (ROOT / words[words.index("-c") + 1]).is_file()


@pytest.mark.parametrize("name", ["roll-campaigns", "purge-expired", "daily-report", "partitions"])
def test_daily_timers_start_their_service(name):
    timer = _unit(f"gridreach-{name}.timer")["Timer"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00 Asia/Shanghai", timer["OnCalendar"])
    assert timer["Persistent"] == "true"
    assert (UNITS / f"gridreach-{name}.service").is_file()  # a timer starts the service of its name


def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, on the units pointed at this checkout (its .venv exists): unknown
    keys and bad values are only warnings there, so any output fails the test."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/srv/gridreach", str(ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(
        [analyze, "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
