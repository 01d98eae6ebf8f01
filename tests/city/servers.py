"""Throwaway PostgreSQL servers for the city tests, on 127.0.0.1 only: a primary, a streaming
replica of it (pg_basebackup -R), and PgBouncer in transaction pooling in front.

Debian's server binaries are found as .ci/pg-cluster.sh finds them. PostgreSQL and PgBouncer refuse
to run as root: as root they run as the `postgres` system user. Without the binaries the tests
are skipped, except under CI (CI installs postgresql and pgbouncer; .ci/run)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "gridreach_city"


def missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed: CI must run the city tests")
    pytest.skip(f"{what} is not installed")


def bindir() -> Path:
    found = subprocess.run(
        [str(ROOT / ".ci" / "pg-cluster.sh"), "bindir"], capture_output=True, text=True
    )
    if found.returncode != 0:
        missing("PostgreSQL (Debian's postgresql)")
    return Path(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL and PgBouncer will not run as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _run(command: list[str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(
        _as_owner(command), cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")
    return done.stdout


class Workspace:
    """A private folder under the temporary directory that the server user may enter."""

    def __init__(self, prefix: str):
        base = "/tmp" if os.geteuid() == 0 else tempfile.gettempdir()
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        self.path.chmod(0o700)
        _own(self.path)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class Cluster:
    """One PostgreSQL server (a primary, or a standby made by `replica()`)."""

    def __init__(self, workspace: Workspace, name: str):
        self.bin = bindir()
        self.folder = workspace.path / name
        self.data = self.folder / "data"
        self.port = free_port()
        self.started = False

    @classmethod
    def primary(cls, workspace: Workspace) -> Cluster:
        cluster = cls(workspace, "primary")
        cluster.folder.mkdir()
        _own(cluster.folder)
        _run(
            [
                str(cluster.bin / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--auth=trust",
                "--no-sync",
            ],
            cluster.folder,
        )
        with open(cluster.data / "pg_hba.conf", "w") as hba:
            hba.write(
                "local all all trust\n"
                "host all all 127.0.0.1/32 trust\n"
                "host replication all 127.0.0.1/32 trust\n"
            )
        with open(cluster.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\nlisten_addresses = '127.0.0.1'\n"
                "max_connections = 100\n"
                "wal_level = replica\n"
                "max_wal_senders = 4\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\njit = off\n"
            )
        cluster.start()
        cluster.psql("postgres", f"CREATE DATABASE {DATABASE}")
        return cluster

    def replica(self, workspace: Workspace) -> Cluster:
        """A hot standby streaming from this server."""
        standby = Cluster(workspace, "replica")
        standby.folder.mkdir()
        _own(standby.folder)
        _run(
            [
                str(self.bin / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-D",
                str(standby.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            standby.folder,
            timeout=300,
        )
        standby.start()
        return standby

    def start(self) -> None:
        _run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                f"-p {self.port} -k {self.folder}",
                "-w",
                "-t",
                "60",
                "start",
            ],
            self.folder,
        )
        self.started = True

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                _as_owner(
                    [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
                ),
                cwd=self.folder,
                capture_output=True,
                timeout=60,
            )
            self.started = False

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        psql = self.bin / "psql"
        if not psql.exists():
            psql = Path(shutil.which("psql") or "psql")
        return _run(
            [str(psql), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
            + ["-v", "ON_ERROR_STOP=1", "-tAX", "-c", sql],
            self.folder,
        ).strip()

    def wait_for_replay(self, primary: Cluster, seconds: float = 30) -> None:
        """Until this standby has replayed everything the primary has written so far."""
        target = primary.psql(DATABASE, "SELECT pg_current_wal_insert_lsn()")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            caught_up = self.psql(
                DATABASE, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            )
            if caught_up == "t":
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica did not replay up to {target} in {seconds}s")


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
    if not found:
        missing("pgbouncer (Debian's pgbouncer)")
    return found


class PgBouncer:
    """PgBouncer in transaction pooling in front of `cluster`, with a small server pool handed out
    in turn (server_round_robin), so that one client's transactions land on different server
    connections, and several clients' on one."""

    def __init__(self, workspace: Workspace, cluster: Cluster, pool_size: int = 2):
        binary = pgbouncer_binary()
        self.folder = workspace.path / "pgbouncer"
        self.folder.mkdir()
        _own(self.folder)
        self.port = free_port()
        users = self.folder / "users.txt"
        users.write_text('"postgres" ""\n')
        ini = self.folder / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"{DATABASE} = host=127.0.0.1 port={cluster.port} dbname={DATABASE}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            f"unix_socket_dir = {self.folder}\n"
            "auth_type = trust\n"
            f"auth_file = {users}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\n"
            "server_round_robin = 1\n"
            "max_client_conn = 200\n"
            "server_reset_query =\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\n"
            f"pidfile = {self.folder / 'pgbouncer.pid'}\n"
        )
        for path in (users, ini):
            _own(path)
        self.process = subprocess.Popen(
            _as_owner([binary, str(ini)]),
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pgbouncer did not start: {self.log()}") from None
                time.sleep(0.05)

    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def log(self) -> str:
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
