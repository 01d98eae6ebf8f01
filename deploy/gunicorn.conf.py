"""gunicorn settings for GridReach: gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'.

Read from the same environment as the app (/etc/gridreach/env under systemd). The worker class
follows the database: sync workers on SQLite (threads would only queue on its write lock),
gthread on PostgreSQL. WEB_CONCURRENCY and GUNICORN_THREADS override the counts.
"""

import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn import glogging

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's logging configuration, before gunicorn changes directory

from app.logging_setup import logging_config, scrub  # noqa: E402

chdir = str(ROOT)
wsgi_app = "app:create_app()"
bind = ["127.0.0.1:8000"]  # nginx in front; never exposed directly
# systemd sends the signals; no control socket in the service user's (absent) home.
control_socket_disable = True

_cpus = multiprocessing.cpu_count()
_postgresql = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))
if _postgresql:
    worker_class = "gthread"
    workers = int(os.environ.get("WEB_CONCURRENCY", min(_cpus + 1, 8)))
    threads = int(os.environ.get("GUNICORN_THREADS", 4))
else:
    worker_class = "sync"
    workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * _cpus + 1, 8)))

# An import of up to 5,000 rows (larger ones go to the background worker) or a report export
# answers within a request: give it two minutes; nginx's proxy_read_timeout matches.
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with the path of each access line freed of QR tokens, and no referer
    or full request line (both may carry a token)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = scrub(atoms.get("U") or "-")
        atoms["r"] = atoms["q"] = atoms["f"] = "-"
        return atoms


# The request id comes from nginx (X-Request-ID) and is echoed by the app; the path is the
# one without its query string, QR tokens replaced (see RedactingLogger).
access_log_format = '%({x-request-id}o)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'
logconfig_dict = logging_config(
    os.environ.get("LOG_LEVEL", "INFO").upper(), os.environ.get("LOG_FILE") or None
)
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
logger_class = RedactingLogger
