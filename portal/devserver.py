"""`make run`: the whole portal on one machine, with nothing installed but Python.

Starts the embedded PostgreSQL (unless DATABASE_URL is set), migrates, seeds the
demo data (idempotent), then runs the Procfile (web, Celery worker, Celery beat,
localstripe) under honcho. Ctrl-C stops every process and the embedded database,
says so, and exits 0.

Why two processes: Ctrl-C sends SIGINT to the terminal's foreground process group,
`make` included, and make then reports "*** [run] Interrupt" and exits 130 whatever
its command did. So the Procfile's manager (`python -m portal.devserver --processes`)
runs in a process group of its own that this process makes the terminal's foreground:
Ctrl-C reaches only the manager, which stops every process with SIGTERM (each ends
cleanly on it) and exits 0; this process, in make's group, forwards a SIGINT or SIGTERM
sent to that group, takes the terminal back and stops the database.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import honcho.manager
from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

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
        code = run_in_foreground([python, "-m", "portal.devserver", "--processes"], env)
    finally:
        if started_embedded:
            print("Stopping the embedded PostgreSQL ...", flush=True)
            embedded.stop_embedded()
    print("The portal stopped cleanly." if code == 0 else "The portal stopped with errors (exit code %d)." % code, flush=True)
    return code


def _foreground_terminal() -> int | None:
    """The controlling terminal's descriptor when this process is in its foreground group, else None."""
    try:
        fd = sys.stdin.fileno()
        return fd if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp() else None
    except (OSError, ValueError):
        return None


def _give_terminal_to(fd: int, process_group: int) -> None:
    # A process outside the foreground group that changes it gets SIGTTOU: ignore it for the call.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, process_group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


def run_in_foreground(command: list[str], env: dict) -> int:
    """Run `command` in a new process group that is the terminal's foreground; return its exit code."""
    terminal = _foreground_terminal()
    child = subprocess.Popen(command, cwd=BASE_DIR, env=env, process_group=0)
    if terminal is not None:
        _give_terminal_to(terminal, child.pid)

    def forward(signum, frame):
        # A SIGINT or SIGTERM sent to make's process group (not the terminal's Ctrl-C) reaches us: pass it on.
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if terminal is not None:
            _give_terminal_to(terminal, os.getpgrp())


class _StopMainProcessFirst:
    """Honcho's process signalling, but SIGTERM goes to each Procfile process itself, not its group.

    Gunicorn and a Celery worker stop their own children on SIGTERM; signalling the whole group
    killed those children first, and Celery reported each as "exited with signal 15".
    """

    def terminate(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def kill(self, pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


STOPPED_ON_REQUEST = {0, -signal.SIGTERM, 128 + signal.SIGTERM}
# Honcho waits 5 s after its SIGTERM before SIGKILL; a Celery worker on the filesystem broker
# takes 6 to 8 s to finish its warm shutdown, and was killed (and reported) mid-way.
honcho.manager.KILL_WAIT = 30


def run_processes() -> int:
    """Run the Procfile's processes until one ends or Ctrl-C; exit 0 when every one stopped cleanly on request."""
    # No time in honcho's prefix: each process prints its own, in UTC (portal/logs.py).
    manager = Manager(Printer(sys.stdout, time_format="", colour=sys.stdout.isatty()))
    manager._procmgr = _StopMainProcessFirst()  # honcho 2.0 keeps its signaller here (requirements.txt pins it)
    for name, command in parse_procfile((BASE_DIR / "Procfile").read_text()).processes.items():
        manager.add_process(name, command, env=dict(os.environ), cwd=str(BASE_DIR))
    manager.loop()
    interrupted = manager.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM)
    codes = {name: p.get("returncode") for name, p in manager._processes.items()}
    failed = {name: code for name, code in codes.items() if code not in STOPPED_ON_REQUEST}
    if interrupted and not failed:
        return 0
    for name, code in failed.items():
        print("%s ended with exit code %s." % (name, code), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(run_processes() if "--processes" in sys.argv[1:] else main())
