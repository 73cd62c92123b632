"""One settings module for every environment, driven by environment variables.

The embedded default is SQLite under ./var/ (what `make demo` uses); production and CI
set DATABASE_URL to PostgreSQL. Secrets never live in the repository: SECRET_KEY comes
from the environment, and only a DEBUG (demo/development) run may fall back to a key
generated into ./var/.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("LACHEALTH_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("LACHEALTH_VAR", BASE_DIR / "var")).resolve()
FRONTEND_DIR = Path(
    os.environ.get("LACHEALTH_FRONTEND", SRC_DIR.parent.parent / "build" / "frontend")
).resolve()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("LACHEALTH_DEBUG")
#: Django's debug pages for a page not found or a server error, for developers; the demo
#: (DEBUG) shows lachealth's own pages unless this is set.
DEBUG_PAGES = DEBUG and _flag("LACHEALTH_DEBUG_PAGES")
TESTING = _flag("LACHEALTH_TESTING") or "pytest" in sys.modules


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment in production.")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
#: The key that seals the access log's rows (`people/chain.py`), kept out of the database so
#: that someone who can write to it cannot seal a row they changed. Set it once and never
#: change it: every row already written is checked with it. Without it, SECRET_KEY serves,
#: and rotating SECRET_KEY would then make `lachealth verify-audit` report every row altered.
AUDIT_LOG_KEY = os.environ.get("AUDIT_LOG_KEY") or SECRET_KEY
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else ""
    ).split(",")
    if h.strip()
] + (["testserver"] if TESTING else [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "lachealth.people",
    "lachealth.care",
    "lachealth.health",
    "lachealth.handovers",
    "lachealth.quality",
    "lachealth.interop",
    "lachealth.insight",
    "lachealth.demo",
]

MIDDLEWARE = [
    "lachealth.middleware.OwnErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lachealth.people.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lachealth.people.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lachealth.people.middleware.LoginRequiredMiddleware",
    "lachealth.people.middleware.RefusedChildPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lachealth.urls"
WSGI_APPLICATION = "lachealth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [SRC_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "lachealth.jinja.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.messages.context_processors.messages",
                "lachealth.people.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'lachealth.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a measures aggregate for about 0.6 s to save milliseconds
    # (`make bench`): short queries are this service's whole workload, so it is off.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
# Why a record was corrected is kept in full in its history, not cut at 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "people:sign_in"
LOGIN_REDIRECT_URL = "home"

# Sessions live in the database (the web tier stays stateless) and end after 30 minutes idle:
# people.middleware.SessionRenewalMiddleware saves a session in use at most once a minute.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "lachealth.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not (DEBUG or TESTING):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# What one request may send, so that no post ties up a worker: Django refuses a request over
# these as its form is first read, and `views.too_much_sent` says which limit was passed (413).
# The largest pages (tests/test_form_limits.py holds them to 60% of these): the health
# assessment with 30 actions and 30 new summary entries, about 420 fields and 55,000
# characters; the QA tool's draft, 83 criteria rows, about 260 fields and 80,000 characters.
# 2.5 MB of form data (files not counted): the largest page, every box full of 4-byte
# characters percent-encoded (12 bytes each), is under 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2
# 1,000 fields: the assessment's 420, and one more for each entry of the child's clinical
# summary ticked as resolved, with room to spare.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
# 100 files in one post: an SSDA903 return is about 15 CSV files (or one zip). Their size is
# not counted above: the returns page refuses an upload over MAX_RETURN_UPLOAD_BYTES itself.
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# An uploaded file over 2.5 MB goes to a temporary file rather than the worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2

# django-axes: five failed sign-ins lock the account for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Lock the account, not the address: council and NHS staff share a few NAT addresses, and a
# per-address lock would let one mistyped password lock out a whole office.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Submitting a domain to browsers' HSTS preload lists is the domain owner's decision.
SILENCED_SYSTEM_CHECKS.append("security.W021")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lachealth.people.views.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "lachealth"
# A demo user may be shown their current code on the sign-in page; only ever in DEBUG.
DEMO_OTP_HINT = DEBUG and _flag("LACHEALTH_DEMO_OTP_HINT", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if DEBUG or TESTING:  # served from the finders; the folder only has to exist
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [SRC_DIR / "static"]
if (FRONTEND_DIR / "static").exists():
    STATICFILES_DIRS.append(FRONTEND_DIR / "static")
# nhsuk-frontend's stylesheet asks for its icons at /assets/…, so those are served from the root.
WHITENOISE_ROOT = FRONTEND_DIR / "root" if (FRONTEND_DIR / "root").exists() else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# The address people use to reach the service, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lachealth <no-reply@lachealth.invalid>")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or TESTING
    else "django.core.mail.backends.smtp.EmailBackend",
)
# The SMTP relay (NHSmail or the council's): digests carry counts and a link, never a child.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
EMAIL_TIMEOUT = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Local defaults (DOMAIN.md): below this many children a count is suppressed for aggregate users.
SMALL_NUMBER_THRESHOLD = 6
# How many reverse proxies in front of gunicorn add to X-Forwarded-For (0: none trusted).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
CHILD_LIST_PAGE_SIZE = 50
# The largest SSDA903 upload, all files together (and once unzipped): refused before it is read.
MAX_RETURN_UPLOAD_BYTES = int(os.environ.get("LACHEALTH_MAX_RETURN_UPLOAD_MB", "20")) * 1024 * 1024
# Background work (an uploaded return's check) runs in `lachealth db_worker`, from a queue kept
# in the database (ADR 015); tests run each job in-line, as it is enqueued.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}
