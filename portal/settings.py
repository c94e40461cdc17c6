"""Settings, all from the environment (django-environ).

PORTAL_MODE picks the defaults:
- ``local`` (the default, `make run`): embedded PostgreSQL under .data/, Celery on
  kombu's filesystem transport under .data/, email to files in .data/mail/,
  Stripe via localstripe on 127.0.0.1:8420.
- ``test`` (`make test`): PostgreSQL from DATABASE_URL, else 127.0.0.1:5432 when it
  answers, else the embedded one; Celery eager unless a test starts a worker.
- ``production``: every variable in REQUIRED_IN_PRODUCTION must be set and well
  formed, or start-up stops with a message naming it.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(environ.Env().str("PORTAL_DATA_DIR", default=str(BASE_DIR / ".data")))

env = environ.Env()
PORTAL_MODE = env.str("PORTAL_MODE", default="local")
if PORTAL_MODE not in ("local", "test", "production"):
    raise ImproperlyConfigured("PORTAL_MODE must be local, test or production, not %r." % PORTAL_MODE)
PRODUCTION = PORTAL_MODE == "production"

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "EMAIL_URL",
    "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "FIELD_ENCRYPTION_KEY",
)
if PRODUCTION:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "Production mode needs these environment variables: %s." % ", ".join(missing)
        )


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    """Stop start-up when a URL variable is malformed, naming it."""
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(
            "%s is malformed: expected a URL starting with %s." % (name, " or ".join(s + "://" for s in schemes))
        )
    return value


DEBUG = env.bool("DEBUG", default=PORTAL_MODE == "local")
SECRET_KEY = env.str("SECRET_KEY", default="local-insecure-key-only-for-make-run-and-tests-0123456789abcdef")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY is malformed: it must be at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Field-level encryption of SSNs (Fernet key, urlsafe base64 of 32 bytes).
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE=")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "localflavor",
    "axes",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "core",
    "accounts",
    "enrollment",
    "billing",
    "demo",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",  # 15 minutes idle, 12 hours in any case
    "accounts.middleware.AccountGateMiddleware",  # temporary password, then two-factor, before anything else
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.context_processors.portal",
            ],
            "builtins": ["core.templatetags.core_tags"],
        },
    }
]

# --- Database: PostgreSQL everywhere -------------------------------------------------
if env.str("DATABASE_URL", default=""):
    _url("DATABASE_URL", env.str("DATABASE_URL"), ("postgres", "postgresql", "pgsql"))
    DATABASES = {"default": env.db("DATABASE_URL")}
elif PORTAL_MODE == "test" and embedded.local_server_answers():
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/portal")}
else:
    DATABASES = {"default": env.db_url_config(embedded.embedded_database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# PostgreSQL's JIT compiles queries it estimates expensive (a 10,000-row roster sorted by premium, an
# invoice's generation): seconds of compiling for queries that run in a fraction of that. Off.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default="test_portal")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis / Celery ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    _url("REDIS_URL", REDIS_URL, ("redis", "rediss"))
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_QUEUE_DIR = DATA_DIR / "celery" / "queue"
    CELERY_PROCESSED_DIR = DATA_DIR / "celery" / "processed"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_PROCESSED_DIR),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
    if PORTAL_MODE == "test":
        # Each test process its own, emptied before every test (conftest.py): rate limits never leak.
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    else:
        # A file cache is shared by the web, worker and beat processes (rate limits).
        CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(DATA_DIR / "cache"),
            }
        }
# django-ratelimit counts in the default cache. It officially supports only memcached and
# django-redis: Django's own RedisCache increments atomically too, and the file cache of
# `make run` (one machine, a demo) is good enough there.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=PORTAL_MODE == "test")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}  # each app adds its entries in portal/beat.py
# Task modules that cannot be an app's tasks.py (they import the request pipeline, which imports tasks.py).
CELERY_IMPORTS = ["enrollment.maintenance_tasks", "enrollment.continuation_tasks"]

# --- Email -------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    _email = env.email_url_config(env.str("EMAIL_URL"))
    _options = {
        "host": _email.get("EMAIL_HOST"), "port": _email.get("EMAIL_PORT"),
        "username": _email.get("EMAIL_HOST_USER"), "password": _email.get("EMAIL_HOST_PASSWORD"),
        "use_tls": _email.get("EMAIL_USE_TLS", False), "use_ssl": _email.get("EMAIL_USE_SSL", False),
        "timeout": 20,
    }
    if _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        _options = {"file_path": _email.get("EMAIL_FILE_PATH")}
    elif not _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        _options = {}
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": {k: v for k, v in _options.items() if v not in (None, "")}}}
elif PORTAL_MODE == "test":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    # `make run`: every email is a file in .data/mail/ (the README says how to read them).
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                           "OPTIONS": {"file_path": str(DATA_DIR / "mail")}}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Group Benefits Portal <no-reply@portal.example>")

# --- Stripe ------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe")
STRIPE_PORT = env.int("STRIPE_PORT", default=8420)  # localstripe's, for `make run` (Procfile)
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="" if PRODUCTION else "http://127.0.0.1:%d" % STRIPE_PORT)
# Each call is retried by the portal's own code with the same idempotency key (Celery backoff);
# tests use 0 so a retry never hides a bug.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=0 if PORTAL_MODE == "test" else 2)
STRIPE_JS_URL = env.str(
    "STRIPE_JS_URL",
    default="https://js.stripe.com/v3/" if PRODUCTION else "http://127.0.0.1:%d/js.stripe.com/v3/" % STRIPE_PORT,
)

# --- Auth and sessions -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PORTAL_MODE == "test":
    # Hashing speed only: the production list above is what runs everywhere else.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"] + PASSWORD_HASHERS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute end: 12 hours
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)  # HIPAA automatic logoff
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
PASSWORD_RESET_TIMEOUT = 60 * 60  # a self-service reset link works for one hour
OTP_TOTP_ISSUER = "Group Benefits Portal"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Private files: proof documents and ID card PDFs --------------------------------------
# Never under STATIC_ROOT or MEDIA: nothing serves this folder; a view checks access and audits each read.
PRIVATE_FILES_DIR = Path(env.str("PRIVATE_FILES_DIR", default=str(DATA_DIR / "private")))
PROOF_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024  # 10 MB, checked by core.uploads and again by the form
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",  # stops reading a file past PROOF_DOCUMENT_MAX_BYTES
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file, not memory
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields besides files

# The carrier, as printed on member ID cards, invoices, notices and remittance slips.
CARRIER_NAME = env.str("CARRIER_NAME", default="Cascade Summit Health Plan")
MEMBER_SERVICES_PHONE = env.str("MEMBER_SERVICES_PHONE", default="1-800-555-0142")

# Billing specialists' phone numbers, shown on the login page and the lockout message.
SUPPORT_PHONES = env.list("SUPPORT_PHONES", default=["503-574-5791", "888-816-1300"])

# --- Billing ---------------------------------------------------------------------------------
CARRIER_ADDRESS = env.list("CARRIER_ADDRESS", default=["1200 SW Columbia St, Suite 400", "Portland, OR 97201"])
REMIT_TO = env.list("REMIT_TO", default=["Cascade Summit Health Plan", "Premium Remittance, PO Box 4480", "Portland, OR 97208-4480"])
# An invoice PDF of more lines than this (as the admin sees it) is rendered by the worker.
BILLING_PDF_INLINE_MAX_LINES = env.int("BILLING_PDF_INLINE_MAX_LINES", default=250)

# --- Security headers --------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE] + ([STRIPE_JS_URL.rsplit("/v3/", 1)[0] + "/"] if STRIPE_JS_URL else []),
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # Stripe.js calls Stripe's API from the page and opens its 3D Secure and bank dialogs in frames.
    "connect-src": [CSP.SELF] + ([STRIPE_API_BASE] if STRIPE_API_BASE else ["https://api.stripe.com"]),
    "frame-src": [CSP.SELF] + (["https://js.stripe.com", "https://hooks.stripe.com"] if PRODUCTION else []),
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Static files: Bootstrap from node_modules (npm), never a CDN -------------------------
STATIC_URL = "/static/"
# collectstatic target (production); locally WhiteNoise serves straight from the finders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "tables/responsive.html"  # inside a sideways-scrolling region

LANGUAGE_CODE = "en-us"
FORMAT_MODULE_PATH = ["portal.formats"]  # one date format everywhere: "Apr 12, 1985"
TIME_ZONE = "America/Los_Angeles"  # the carrier's; instants are stored in UTC
USE_I18N = True
USE_TZ = True

# Every process logs through the root logger's one handler, in UTC with the zone shown (portal/logs.py);
# Celery's worker and beat take this configuration too (portal/celery.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client_error_tracebacks": {"()": "portal.logs.NoClientErrorTracebacks"}},
    "formatters": {"utc": {"()": "portal.logs.UTCFormatter", "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "utc"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Django's default "django" logger has a console handler of its own (when DEBUG): without
        # this, each of its records (a 403's traceback...) was written twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["no_client_error_tracebacks"]},
    },
}

from portal.beat import BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
