"""Production start-up: every required variable named when missing, and check --deploy clean."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "PORTAL_MODE": "production",
    "SECRET_KEY": "x9!k2#pq" * 8,
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "portal.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.com",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
    "FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLXRlc3Q=",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in ("PORTAL_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_prints_no_warning_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "issues" in result.stdout


def test_a_missing_variable_stops_start_up_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_a_malformed_database_url_stops_start_up_naming_it():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "mysql://db/portal"})
    assert result.returncode != 0
    assert "DATABASE_URL is malformed" in result.stderr
