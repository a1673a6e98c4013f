"""Django settings for Helhed, read from the environment.

Every setting that differs between installations comes from an environment
variable (see the README's configuration section). A file ``var/helhed.env``
(or the path in ``HELHED_ENV_FILE``) is read first when it exists; ``helhed
init`` writes one with freshly generated keys, which is what ``make demo`` does.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
import django_stubs_ext
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helhed.lib.env import env_bool, env_int, env_list, env_str, load_env_file
from helhed.lib.periods import env_periods

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HELHED_VAR_DIR", str(BASE_DIR / "var")))
load_env_file(Path(env_str("HELHED_ENV_FILE", str(VAR_DIR / "helhed.env"))))

# Under the test runner (and mypy's Django plugin, which loads settings) each
# process gets throw-away keys, so tests never need a key file and can never
# touch real encrypted data by accident.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
EPHEMERAL_KEYS = TESTING or "mypy" in sys.modules

DEBUG = env_bool("HELHED_DEBUG", False)


def _secret(name: str, make_test_value: str) -> str:
    value = env_str(name)
    if value:
        return value
    if EPHEMERAL_KEYS:
        os.environ[name] = make_test_value
        return make_test_value
    raise ImproperlyConfigured(
        f"{name} is not set. Run `helhed init` to generate var/helhed.env, "
        "or set it in the environment."
    )


SECRET_KEY = _secret("HELHED_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

# CPR numbers are encrypted with the first of these Fernet keys and can be read
# with any of them, so a key is rotated by putting a new one first and running
# `helhed manage rotate_cpr_key`.
CPR_KEYS = [
    key.strip()
    for key in _secret("HELHED_CPR_KEYS", Fernet.generate_key().decode()).split(",")
    if key.strip()
]
# Keyed hash (HMAC) for looking up a CPR number and for analytics pseudonyms.
PSEUDONYM_KEY = _secret("HELHED_PSEUDONYM_KEY", "test-only-pseudonym-key")

# Drawn plots of aggregates (``lib.charts.cached_svgs``) are kept per process:
# a municipality's dashboards hold a few thousand. Nothing personal is cached.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    }
}

# The analytics engine's observation store (DuckDB), apart from the operational database.
ANALYTICS_STORE = Path(env_str("HELHED_ANALYTICS_STORE", str(VAR_DIR / "analytics.duckdb")))
if TESTING and "HELHED_ANALYTICS_STORE" not in os.environ:
    # Tests (the demo's among them) never write to a real store, nor share one between runs.
    ANALYTICS_STORE = Path(tempfile.mkdtemp(prefix="helhed-test-analytics-")) / "analytics.duckdb"


def _audit_keys() -> list[str]:
    """The audit chain's HMAC keys: ``HELHED_AUDIT_KEYS``, or the older single ``HELHED_AUDIT_KEY``.

    Both at once is refused: which one counts would depend on where each was
    set (the environment wins over ``var/helhed.env``), and a key meant to be
    retired could silently go on signing.
    """
    if env_str("HELHED_AUDIT_KEY") and env_str("HELHED_AUDIT_KEYS"):
        raise ImproperlyConfigured(
            "HELHED_AUDIT_KEY and HELHED_AUDIT_KEYS are both set (in the environment or "
            "var/helhed.env). Keep only HELHED_AUDIT_KEYS, with the key of HELHED_AUDIT_KEY "
            "in it: first if it still signs, after the new key if it is being retired."
        )
    name = "HELHED_AUDIT_KEYS" if env_str("HELHED_AUDIT_KEYS") else "HELHED_AUDIT_KEY"
    keys = [key.strip() for key in _secret(name, "test-only-audit-key").split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} holds no key; run `helhed init` or set one.")
    return keys


# Keys the audit log's hash chain (HMAC): whoever can write to the database but
# does not hold these keys cannot forge a chain that `helhed audit verify`
# accepts. The first signs new entries; the others only verify the entries they
# signed before `helhed audit rotate-key` retired them.
AUDIT_KEYS = _audit_keys()
# More distinct citizens looked up by one staff member in one day puts them on the leader's review.
AUDIT_MANY_LOOKUPS = env_int("HELHED_AUDIT_MANY_LOOKUPS", 30)

ALLOWED_HOSTS = env_list("HELHED_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("HELHED_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves the API docs' Swagger UI from our own static files: without it
    # ninja loads it from a CDN with an inline script, which the CSP forbids.
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Domain apps, in import order: an app may import only the apps above it.
    # Beneath every domain app: they all write to it, it imports none of them.
    "helhed.audit",
    "helhed.accounts",
    "helhed.organisation",
    "helhed.citizens",
    "helhed.plans",
    "helhed.feedback",
    "helhed.results",
    "helhed.leadership",
    "helhed.forums",
    "helhed.trials",
    "helhed.analytics",
    "helhed.api",
    "helhed.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helhed.lib.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helhed.lib.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: gives request.user.is_verified() (the second factor).
    "django_otp.middleware.OTPMiddleware",
    "helhed.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (they say why a user was signed out) and before any view.
    "helhed.accounts.middleware.IdleSessionMiddleware",
    "helhed.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helhed.urls"
WSGI_APPLICATION = "helhed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "helhed" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASE_URL = env_str("HELHED_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'helhed.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"HELHED_DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while the demo generator writes.
    # IMMEDIATE: a transaction takes the write lock when it begins, so two
    # writers (the audit chain's head, above all) wait for each other instead of
    # failing with "database is locked" when one upgrades a read to a write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Password hashing dominates test set-up time; tests need no slow hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The lockout backend comes first: it refuses a locked-out username and address
# before any password is checked (django-axes).
AUTHENTICATION_BACKENDS = [
    "helhed.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Measurement imports accept files up to 5 MB (results.imports says so clearly);
# the NUL guard reads multipart bodies whole, so the request limit sits above that.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Login hardening and security headers (helhed.accounts).
# A production server speaks HTTPS; a lab behind plain HTTP sets HELHED_HTTPS=0.
HTTPS = not DEBUG and not TESTING and env_bool("HELHED_HTTPS", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("HELHED_HSTS_SECONDS", 365 * 24 * 60 * 60) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HELHED_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole domain (often the municipality's) to HTTPS in
# every browser for good: an operator's decision, so off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("HELHED_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = HTTPS and env_bool("HELHED_SSL_REDIRECT", True)
# Trust the proxy's X-Forwarded-Proto (and, for the lockout, the address it
# adds to X-Forwarded-For) only when one is in front and sets them.
HELHED_BEHIND_PROXY = env_bool("HELHED_BEHIND_PROXY", False)
if HELHED_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (a coordinator is told of a contact with a family they coordinate; the
# mail names no citizen). Without an SMTP host the mails go to the console, so
# the demo and a laptop never try to reach a mail server.
EMAIL_HOST = env_str("HELHED_EMAIL_HOST")
EMAIL_PORT = env_int("HELHED_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("HELHED_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("HELHED_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("HELHED_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("HELHED_EMAIL_FROM", "helhed@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Sessions: a working day at most, signed out after a spell without activity,
# and gone when the browser closes. IdleSessionMiddleware enforces both limits
# from timestamps in the session; it touches the session at most once a minute,
# so SESSION_SAVE_EVERY_REQUEST (a database write on every request, HTMX
# partials included) is not needed to keep an active session alive.
SESSION_COOKIE_AGE = env_int("HELHED_SESSION_SECONDS", 8 * 60 * 60)
HELHED_SESSION_IDLE_SECONDS = env_int("HELHED_SESSION_IDLE_SECONDS", 30 * 60)
if not 60 <= HELHED_SESSION_IDLE_SECONDS <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "HELHED_SESSION_IDLE_SECONDS must be at least 60 and at most HELHED_SESSION_SECONDS."
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False

# Lockout (django-axes): a username from one address is locked after this many
# failed passwords or two-factor codes, for this many minutes. Other addresses
# can still sign in as that user, so an attacker cannot lock a colleague out
# from afar. API bearer tokens do not go through it.
HELHED_LOGIN_FAILURES = env_int("HELHED_LOGIN_FAILURES", 5)
HELHED_LOCKOUT_MINUTES = env_int("HELHED_LOCKOUT_MINUTES", 30)
if HELHED_LOGIN_FAILURES < 1 or HELHED_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured(
        "HELHED_LOGIN_FAILURES and HELHED_LOCKOUT_MINUTES must be 1 or more."
    )
AXES_FAILURE_LIMIT = HELHED_LOGIN_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=HELHED_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A lock lasts the stated minutes; retrying while locked does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures are cleared when the user is fully signed in (after the code, when
# they use two-factor login), not already when the password was right.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "helhed.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "helhed.lib.clients.client_address"
# No start-up banner in every command's output; failures are still logged.
AXES_VERBOSE = False

# Two-factor login (django-otp): optional for everyone, required for staff
# when HELHED_REQUIRE_2FA_FOR_STAFF=1.
HELHED_REQUIRE_2FA_FOR_STAFF = env_bool("HELHED_REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = "Helhed"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content Security Policy (django-csp), in every mode so that tests catch a page
# that needs more: no inline script or style, no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Danish first, English too.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "helhed" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The project package is not an app, so its own static folder is listed here.
STATICFILES_DIRS = [BASE_DIR / "helhed" / "static"]
STATIC_ROOT = VAR_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "helhed.lib.logfilter.MaskCprFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"]}},
    "root": {"handlers": ["console"], "level": env_str("HELHED_LOG_LEVEL", "INFO")},
    "loggers": {
        "faker": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
        # The development server logs request lines, query strings included.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# FIT feedback: after how many ratings a child who is not improving is flagged.
HELHED_FIT_NOT_IMPROVING_AFTER = env_int("HELHED_FIT_NOT_IMPROVING_AFTER", 3)
if HELHED_FIT_NOT_IMPROVING_AFTER < 2:
    raise ImproperlyConfigured(
        "HELHED_FIT_NOT_IMPROVING_AFTER must be 2 or more: progress needs two ratings."
    )

# Retention: periods by rule code overriding the defaults, as a JSON object, e.g.
# HELHED_RETENTION='{"plans.plan": "6y", "plans.concern": "730d"}'. The rules and
# their defaults are listed by `helhed retention --rules` (helhed/lib/retention.py).
HELHED_RETENTION = env_periods("HELHED_RETENTION")
