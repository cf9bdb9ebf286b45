"""Newsroom settings: one module, every difference comes from the environment."""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import environ

from newsroom.security import DEVELOPMENT_SECRET_KEY, check_secret_key


class SetVariables(Mapping):
    """The environment without variables set to nothing.

    ``NAME=`` (an uncommented line of .env.example, an empty CI variable) then means "not set"
    and the default applies, so an empty value can never switch HTTPS off, empty the secret
    key, or make a URL or number unreadable.
    """

    def __getitem__(self, name):
        value = os.environ[name]
        if not value.strip():
            raise KeyError(name)
        return value

    def __iter__(self):
        return (name for name, value in os.environ.items() if value.strip())

    def __len__(self):
        return sum(1 for _ in self)


class Env(environ.Env):
    ENVIRON = SetVariables()


BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win


def optional_int(name):
    """An integer setting that may be unset or empty (meaning: rule switched off)."""
    value = env.str(name, default="").strip()
    return int(value) if value else None


DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Unset or empty: the development key with DEBUG, else "" (refused just below, clearly).
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
check_secret_key(SECRET_KEY, debug=DEBUG)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Newsroom")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django.contrib.postgres",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",  # admin login lockout (AXES_* below)
    "articles",
    "comments",
    "discovery",
]
# The development-only demo app (seed_demo, demo_account): never loaded by production settings.
if DEBUG or env.bool("NEWSROOM_DEMO", default=False):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    # First: answers page-cache hits and sees every response's final headers (docs/deploy.md).
    "newsroom.pagecache.PageCacheMiddleware",
    "newsroom.middleware.PermissionsPolicyMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

# Forms render through TEMPLATES, so templates/forms/field.html is every field's template.
FORM_RENDERER = "newsroom.forms.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer fails a request in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Transactions take SQLite's write lock at BEGIN and wait for it (up to the 20 s timeout).
    # With the default deferred BEGIN, two concurrent comment posts both read, then both try
    # to upgrade to writing: SQLite refuses one at once with "database is locked" (a 500)
    # without waiting. See docs/reliability.md, "Load and concurrency".
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Development (DEBUG) keeps the cache in files under .devcache/, so a `manage.py` command run
# beside `make run` (purge_pages, seed_demo) reaches the running server's cache; production
# and the tests default to this process's memory unless CACHE_URL names a shared cache.
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default=f"filecache://{BASE_DIR / '.devcache'}"
        if DEBUG
        else "locmemcache://newsroom",
    )
}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="newsroom")
# Rendered pieces every reader shares (story body, comment thread) are kept this long
# under the content version (newsroom/fragments.py); 0 turns the fragment cache off.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=600)

# The page cache (docs/deploy.md "Page cache"): how long pages are kept and may be reused.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_MAX_AGE = env.int("PAGE_MAX_AGE", default=0)
PAGE_S_MAXAGE = env.int("PAGE_S_MAXAGE", default=60)
PAGE_STALE_SECONDS = env.int("PAGE_STALE_SECONDS", default=30)
# A request carrying any of these gets its own page, never the shared one (comments.E002
# checks that every per-reader cookie of comments/personal.py is listed).
PAGE_CACHE_BYPASS_COOKIES = env.list(
    "PAGE_CACHE_BYPASS_COOKIES",
    default=[
        "sessionid",
        "csrftoken",
        "messages",
        "comment_author",
        "comments_held",
        "comments_posted",
        "comments_mine",
        "comments_reporter",
    ],
)
# Parts of a page that differ on every render without changing what it says: the comment
# form's signed token. They do not count towards the page's (weak) ETag, so a browser's copy
# stays good (304) across renders; the token in that copy is still one the site accepts.
PAGE_CACHE_ETAG_IGNORE = [r'name="timestamp" value="[^"]*"']
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that is down or hung costs a page at most this long (newsroom/sharedcache.py
    # then skips it for a moment), never a worker's whole timeout.
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=_cache_timeout, socket_timeout=_cache_timeout
    )

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before a silent mail server is given up on (the attempt fails and is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username or address first
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login lockout (django-axes, stored in the database, so every app server sees it):
# AXES_FAILURE_LIMIT wrong passwords for one username, or from one address, lock that
# username or address out for AXES_COOLOFF_MINUTES. A right password resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsroom.net.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Lockouts are logged; the version banner django-axes prints at every start is not.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes (and the front proxy serves /static/ from: docs/nginx.conf).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
STORAGES = {
    # Like FileSystemStorage, but a failed write leaves no part-written file (articles/storage.py).
    "default": {"BACKEND": "articles.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded images must fit in memory checks; see articles/images.py for the limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
IMAGE_RENDITION_WIDTHS = [480, 800, 1200]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "newsroom.views.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page of ours uses, switched off for every response (newsroom/middleware.py).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

# Production: HTTPS behind a proxy. Turn off only for a plain-HTTP trial (`make serve`).
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int(
        "DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    # The header's "preload" only makes the site eligible; nothing is listed until the owner
    # submits the domain at hstspreload.org (docs/deploy.md).
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Strict Content-Security-Policy: every script and style comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Background tasks (moderator emails). Without DEBUG they are queued in the database and sent
# by `manage.py db_worker` (docs/deploy.md): no request ever waits for a mail server.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Everything goes to the console once. Django's defaults give the "django" logger a console
# handler of its own (with DEBUG) and let it propagate to the root's as well, which printed
# every warning and autoreloader line twice under `make run`. Here "django" keeps only the
# error emails to ADMINS (without DEBUG, as in Django's default) and propagates to the root;
# configuring it resets its children, so runserver's request lines ("django.server") get
# Django's own format and handler back, printed once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
    "loggers": {
        "django": {"handlers": ["mail_admins"], "propagate": True},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# Comments: the moderation rules (docs/moderation.md explains each one).
COMMENTS_MODERATION = env.str("COMMENTS_MODERATION", default="first_time")
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=2)
COMMENTS_MODERATE_AFTER_DAYS = optional_int("COMMENTS_MODERATE_AFTER_DAYS")
COMMENTS_CLOSE_AFTER_DAYS = optional_int("COMMENTS_CLOSE_AFTER_DAYS")
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=3)
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=50)
COMMENTS_RATE_LIMIT = env.int("COMMENTS_RATE_LIMIT", default=5)
COMMENTS_MIN_SECONDS = env.int("COMMENTS_MIN_SECONDS", default=3)
COMMENTS_FORM_MAX_AGE_DAYS = env.int("COMMENTS_FORM_MAX_AGE_DAYS", default=2)
COMMENTS_NOTIFY_EMAILS = env.list("COMMENTS_NOTIFY_EMAILS", default=[])
# A failed moderator email is tried this many times in all, waiting 1, 2, 4… times the backoff.
COMMENTS_NOTIFY_ATTEMPTS = env.int("COMMENTS_NOTIFY_ATTEMPTS", default=5)
COMMENTS_NOTIFY_BACKOFF_SECONDS = env.int("COMMENTS_NOTIFY_BACKOFF_SECONDS", default=60)
# `manage.py erase_commenter_data`: "anonymise" (keep the text) or "delete" (docs/moderation.md).
COMMENTS_ERASE_MODE = env.str("COMMENTS_ERASE_MODE", default="anonymise")
# Minutes after posting during which the author's browser may edit or delete the comment.
COMMENTS_EDIT_WINDOW = env.int("COMMENTS_EDIT_WINDOW", default=10)
# Commenter emails: at most one notice (published, reply, pick) per address per story in
# this many minutes; more are dropped (docs/moderation.md, "Emails to commenters").
COMMENTS_NOTIFY_MIN_MINUTES = env.int("COMMENTS_NOTIFY_MIN_MINUTES", default=60)
# Confirmation emails ("email me when someone replies") per address, and per IP, per day.
COMMENTS_CONFIRMATIONS_PER_DAY = env.int("COMMENTS_CONFIRMATIONS_PER_DAY", default=3)
# Open reports that send an approved comment back to the moderators' queue.
COMMENTS_REPORTS_TO_HOLD = env.int("COMMENTS_REPORTS_TO_HOLD", default=3)
# Reports one IP address may send per hour.
COMMENTS_REPORTS_PER_HOUR = env.int("COMMENTS_REPORTS_PER_HOUR", default=10)
# How moderators hear about held comments: immediate (one email each), digest
# (`manage.py send_moderation_digest` from cron) or off.
COMMENTS_NOTIFY = env.str("COMMENTS_NOTIFY", default="immediate")

# How many reverse proxies sit in front of the app (client IP from X-Forwarded-For); 0: none.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
