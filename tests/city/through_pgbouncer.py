"""Run a command with TEST_DATABASE_URL pointing at PgBouncer (transaction pooling, eight server
connections handed out in turn) in front of a throwaway PostgreSQL, then remove both:

    .venv/bin/python -m tests.city.through_pgbouncer .venv/bin/python -m pytest tests/api -q

(`make test-city` runs a slice of the suite this way; not with -n, the workers would share the
one database.) Eight, not two: a test that holds two requests at a barrier, each in its own
transaction, while its own session holds a third, would wait for a server connection forever."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.city.servers import Cluster, PgBouncer, Workspace


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    workspace = Workspace("gridreach-pgbouncer-run-")
    cluster = bouncer = None
    try:
        cluster = Cluster.primary(workspace)
        bouncer = PgBouncer(workspace, cluster, pool_size=8)
        print(f"through_pgbouncer: TEST_DATABASE_URL={bouncer.url()}", file=sys.stderr)
        return subprocess.call(
            command,
            env={
                **os.environ,
                "TEST_DATABASE_URL": bouncer.url(),
                "DATABASE_PREPARED_STATEMENTS": "0",
            },
        )
    finally:
        if bouncer is not None:
            bouncer.stop()
        if cluster is not None:
            cluster.stop()
        workspace.remove()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
