"""Trellis settings: one file, read from the environment.

Development works with no environment at all (DEBUG on, SQLite, console email).
Production is DJANGO_DEBUG=false plus a real DJANGO_SECRET_KEY; every variable is
listed in the README's configuration table.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    if name not in os.environ:
        return default
    value = os.environ[name].strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value; use true or false."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# A key that starts with this prefix is only ever acceptable in development.
INSECURE_KEY_PREFIX = "django-insecure-"
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or f"{INSECURE_KEY_PREFIX}development-only-key"
if not DEBUG and (
    SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to 50+ random characters when DJANGO_DEBUG is off. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "accounts",
    "course",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # allauth's "Where you are signed in" and security-key pages load its filters.
    "django.contrib.humanize",
    # Django's own widget templates, for forms rendered through the project's templates
    # (course.forms.AnswerForm uses the TemplatesSetting renderer).
    "django.forms",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivateNoStoreMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.site",
            ],
        },
    },
]


def database_from_env() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL could not be understood: {error}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured("DATABASE_URL names a database Trellis does not support.")
    return config


DATABASES = {"default": database_from_env()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each worker keeps its connection: opening one (and setting WAL up) per request
    # cost more than most pages' queries.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # WAL lets readers carry on while a journal answer is being written; IMMEDIATE
    # transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- allauth ---------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
# Nobody may learn whether an address has an account (a suspicious spouse could try the
# other's). With verification "optional", allauth has to say "already registered" at
# sign-up, because the alternative would be signing the visitor in; "mandatory" answers
# every sign-up with "check your email" and tells the owner of a taken address instead.
# So it is mandatory everywhere, development included (the console shows the link).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address in the browser that signed up signs the new spouse in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Trellis: "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# allauth's limits, plus Trellis's own (accounts/couple_views.py): guesses at an invitation
# code, and invitation emails per account and per address they go to.
ACCOUNT_RATE_LIMITS = {
    "invitation_code": "5/15m/ip,5/15m/user",
    "invitation_email": "5/d/user,3/d/key",
}
# How many proxies of ours stand in front of gunicorn (1 behind nginx or Caddy): the
# client's address is then read from X-Forwarded-For, as that many proxies wrote it.
# 0 trusts no header, so behind a proxy every visitor would share the proxy's address
# and its limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Trellis"
# Recorded at most once a minute by accounts.middleware, not on every request.
USERSESSIONS_TRACK_ACTIVITY = True

# --- cache --------------------------------------------------------------------
# Only rate limits use it (allauth's sign-in and reset limits, invitation-code guesses).
# A table in the database, so every worker counts the same tries; a per-process cache
# would let each worker allow its own five. Created by accounts' migration 0004.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trellis_rate_limits",
    }
}

# --- sessions and cookies ----------------------------------------------------
# Django's database sessions: every worker sees a sign-out on the very next request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: a session ends after this long without a request (see accounts.middleware).
SESSION_COOKIE_AGE = env_int("TRELLIS_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Every script and style is a static file from our own origin: no inline code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

# --- email ----------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Trellis <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every email is queued after the commit (accounts/mail.py) and sent by the worker
# (`manage.py db_worker`) through the "outgoing" mailer.
MAILERS = {"default": {"BACKEND": "accounts.mail.QueuedBackend"}}
if DEBUG and not env_str("EMAIL_HOST"):
    MAILERS["outgoing"] = {"BACKEND": "accounts.mail.ReadableConsoleBackend"}
else:
    MAILERS["outgoing"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }
# Tasks (so far: sending email) are rows in the database that `manage.py db_worker` runs.
# In development they run in the request once it commits, so `make run` needs no worker
# (TRELLIS_TASK_WORKER=true queues them as production does).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if env_bool("TRELLIS_TASK_WORKER", not DEBUG)
            else "django.tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# --- static files ---------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic writes. The benchmark and audit sites collect into their own scratch
# folder: WhiteNoise reads this folder whenever its middleware is built, which the test
# client does for every new client, so a leftover copy here made the suite slower.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Trellis ----------------------------------------------------------------------
# Fernet keys for journal text, newest first (see course/encryption.py and the README).
JOURNAL_KEYS = env_list("TRELLIS_JOURNAL_KEYS")
if not DEBUG and not JOURNAL_KEYS:
    raise ImproperlyConfigured(
        "TRELLIS_JOURNAL_KEYS must be set when DJANGO_DEBUG is off. Make a key with: "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )
# Tests flip settings.DEBUG at run time; the key rule follows how the process started.
DEBUG_AT_STARTUP = DEBUG
JOURNAL_MAX_CHARS = env_int("TRELLIS_JOURNAL_MAX_CHARS", 50_000)
# Room for an over-long answer in any script (up to ~6 bytes a character once form-encoded)
# to reach the form, which refuses it with a clear message and gives the text back.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
CONTENT_DIR = Path(env_str("TRELLIS_CONTENT_DIR", str(BASE_DIR / "content")))
# The lesson on violence, threats and fear: linked from every page's footer.
SAFETY_LESSON = env_str("TRELLIS_SAFETY_LESSON", "when-this-course-is-not-enough")
QUICK_EXIT_URL = env_str("TRELLIS_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")

# Logs never carry request bodies, so journal text cannot reach them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            # A client's mistake (4xx) is one line; server errors keep their traceback.
            "()": "config.errors.LogFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

# A form from a page drawn before signing in or out elsewhere: say so, keep the words.
CSRF_FAILURE_VIEW = "accounts.kept_words.csrf_failure"
