"""The nginx site of deploy/ rendered into a throwaway nginx: its own ports, prefix, certificate."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "gridreach.conf"
UPSTREAM_EXAMPLE = ROOT / "deploy" / "nginx" / "upstream-several-hosts.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_binary() -> str:
    """nginx from PATH or Debian's /usr/sbin (not on a user's PATH); skips the test when absent."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found or not MIME_TYPES.exists() or not shutil.which("openssl"):
        pytest.skip("nginx (Debian's package) and openssl are needed; .ci/run installs them")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RenderedNginx:
    prefix: Path
    conf: Path
    cert: Path
    http_port: int
    https_port: int
    access_log: Path

    def command(self, *args: str) -> list[str]:
        return [
            nginx_binary(),
            "-p",
            str(self.prefix),
            "-c",
            str(self.conf),
            "-e",
            str(self.prefix / "error.log"),
            *args,
        ]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def several_hosts_upstream(app_ports: list[int]) -> str:
    """deploy/nginx/upstream-several-hosts.conf's block with its hosts swapped for `app_ports`."""
    block = UPSTREAM_EXAMPLE.read_text(encoding="utf-8")
    block = block[re.search(r"^upstream gridreach_app \{", block, re.M).start() :]
    hosts = re.findall(r"server (10\.0\.0\.\d+:8000) ", block)
    assert len(hosts) >= len(app_ports), f"{UPSTREAM_EXAMPLE.name} names fewer hosts than the test"
    for host, port in zip(hosts, app_ports, strict=False):
        block = block.replace(f"server {host} ", f"server 127.0.0.1:{port} ")
    for host in hosts[len(app_ports) :]:
        block = re.sub(rf"\n\s*server {re.escape(host)} [^\n]*", "", block)
    return block


def render(folder: Path, app_port: int, upstream: str | None = None) -> RenderedNginx:
    """deploy/nginx/gridreach.conf with the deployment's names swapped for the test's, inside a
    minimal nginx.conf; each swapped name must be in the site file (so the test follows it).
    `upstream` replaces the site's upstream block (then `app_port` is not used)."""
    folder.mkdir(parents=True, exist_ok=True)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    cert, key = self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    access_log = folder / "access.log"
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/gridreach/fullchain.pem": str(cert),
        "/etc/ssl/gridreach/privkey.pem": str(key),
        "/srv/gridreach/": f"{ROOT}/",
        "/var/log/nginx/gridreach.access.log": str(access_log),
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
    }
    site = SITE.read_text(encoding="utf-8")
    if upstream is not None:
        site, found = re.subn(
            r"upstream gridreach_app \{.*?\n\}", lambda _m: upstream, site, count=1, flags=re.S
        )
        assert found == 1, f"{SITE.name} no longer has the upstream block: update this test"
        del swaps["server 127.0.0.1:8000;"]
    for original, replacement in swaps.items():
        assert original in site, f"{SITE.name} no longer says {original!r}: update this test"
        site = site.replace(original, replacement)
    (folder / "gridreach.conf").write_text(site, encoding="utf-8")
    temps = "\n".join(
        f"    {t}_temp_path {folder / t};" for t in ("fastcgi", "uwsgi", "scgi", "proxy")
    )
    user = (
        "user root;\n" if os.geteuid() == 0 else ""
    )  # workers must read the checkout and the temp folder
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    client_body_temp_path {folder / "body"};
{temps}
    access_log {access_log};
    include {folder / "gridreach.conf"};
}}
""",
        encoding="utf-8",
    )
    return RenderedNginx(folder, conf, cert, http_port, https_port, access_log)
