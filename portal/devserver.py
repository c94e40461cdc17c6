"""`make run`: the whole portal on one machine, with nothing installed but Python.

Starts the embedded PostgreSQL (unless DATABASE_URL is set), migrates, seeds the
demo data (idempotent), then runs the Procfile (web, Celery worker, Celery beat,
localstripe) under honcho. Ctrl-C stops every process and the embedded database.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
DEMO_LOGINS = [
    ("alice", "primary admin, Acme Manufacturing Co. (104522)"),
    ("erin", "enrollment admin, Acme"),
    ("bill", "billing admin, Acme"),
    ("bob", "read-only admin, Acme"),
    ("hana", "enrollment admin, Acme, limited to the Hourly subgroup"),
    ("brock", "broker: primary admin of two groups (picks one after login)"),
    ("charlie", "primary admin, Bluebird Dental Partners (238811)"),
    ("specialist", "billing specialist: http://127.0.0.1:8000/admin/"),
]
DEMO_PASSWORD = "demo-password-2026"


def main() -> int:
    for folder in ("celery/queue", "celery/processed", "celery/control", "mail", "cache"):
        (DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PORTAL_MODE", "local")
    started_embedded = False
    if not env.get("DATABASE_URL"):
        print("Starting the embedded PostgreSQL under .data/postgres ...", flush=True)
        env["DATABASE_URL"] = embedded.embedded_database_url()
        started_embedded = True
    python = sys.executable
    bin_dir = str(Path(python).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    try:
        subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True)
        subprocess.run([python, "manage.py", "seed_demo"], cwd=BASE_DIR, env=env, check=True)
        port = env.setdefault("WEB_PORT", "8000")
        print("\n" + "=" * 72)
        print("Group Benefits Portal: http://127.0.0.1:%s/" % port)
        print("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, what in DEMO_LOGINS:
            print("  %-11s %s" % (username, what))
        print("Emails the portal sends are files in %s" % (DATA_DIR / "mail"))
        print("Press Ctrl-C to stop everything.")
        print("=" * 72 + "\n", flush=True)
        honcho = subprocess.Popen([os.path.join(bin_dir, "honcho"), "start", "-f", "Procfile"], cwd=BASE_DIR, env=env)
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            honcho.send_signal(signal.SIGINT)
            return honcho.wait()
    finally:
        if started_embedded:
            print("Stopping the embedded PostgreSQL ...", flush=True)
            embedded.stop_embedded()


if __name__ == "__main__":
    sys.exit(main())
