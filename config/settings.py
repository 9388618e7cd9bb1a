"""Settings, read from the environment (django-environ).

Every variable is listed in docs/configuration.md. Without any variable the project runs on an
embedded default: SQLite and a Celery broker on the filesystem, both under ``var/``.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"
# Keys that are public (in this repository or in Django's templates): a server must not use them,
# since the Fernet keys of stored API keys may be derived from SECRET_KEY (docs/security.md).
KNOWN_SECRET_KEYS = frozenset({_DEV_SECRET_KEY, "test-only-secret-key-not-for-production-0123456789abcdef"})
SECRET_KEY_MIN_LENGTH = 50


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot protect a server, or None (Django's own check --deploy rule, and no
    public key)."""
    if key in KNOWN_SECRET_KEYS or key.startswith("django-insecure"):
        return "it is a published key"
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < 5:
        return f"it is shorter than {SECRET_KEY_MIN_LENGTH} characters or has fewer than 5 different ones"
    return None


SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(DEBUG is off, so the development key is refused)."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is refused: {_problem}. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "monitoring",
    "merchants",
    "stores",
    "notifications",
    "orders",
    "exceptions",
    "letzshop",
    "billing",
    "loyalty",
    "portal",
    # Stand-ins and demo data, above every domain app (docs/architecture.md).
    "sandbox",
    "demo",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns a login refused for too many failures into 429 (config.auth_backends).
    "axes.middleware.AxesMiddleware",
    # A lost database or broker: 503 with Retry-After, not a 500 page (config/outages.py).
    "config.outages.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The badge colours of config/admin_helpers/display.py, in every template.
            "builtins": ["config.admin_helpers.template_filters"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "config.sqlite"  # Django's, with SQLite's real variable limit
    # The web server, the worker and beat share one file: WAL lets readers work while one
    # writes, IMMEDIATE transactions take the write lock up front instead of failing late.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})
else:
    # Connections stay bounded in every process: each keeps a pool (Django's, over psycopg 3's)
    # that a request or a task borrows from and gives back to at its end, so that threads
    # (runserver's, one per request) never leave connections behind. A request that finds the
    # pool empty for DATABASE_POOL_TIMEOUT seconds answers 503 (config/outages.py).
    # DATABASE_POOL_MAX_SIZE=0: no pool, a connection per request (behind PgBouncer, say).
    _pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=10)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if _pool_max > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DATABASE_POOL_MIN_SIZE", default=1), _pool_max),
            "max_size": _pool_max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            "max_idle": 300,  # idle connections above min_size are closed after five minutes
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "config.auth_backends.LoginThrottleBackend",  # django-axes: first, so a locked login stops here
    "django.contrib.auth.backends.ModelBackend",
]

# --- Logins and tokens (docs/security.md) ----------------------------------------------------
# API tokens (django-rest-knox): one per login, stored hashed, expiring.
AUTH_TOKEN_TTL_HOURS = env.float("AUTH_TOKEN_TTL_HOURS", default=10.0)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=AUTH_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Bearer",
    "AUTO_REFRESH": False,
}
# Wrong logins on /api/v1/auth/token, /admin/login/ and /store/login/ (django-axes): after
# LOGIN_FAILURE_LIMIT failures for one username or one address within LOGIN_FAILURE_WINDOW_MINUTES,
# 429 with Retry-After.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW_MINUTES = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_FAILURE_WINDOW_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_LOCKOUT_CALLABLE = "config.auth_backends.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Behind a proxy, the number of proxies whose X-Forwarded-For to trust for the client's address.
AXES_IPWARE_PROXY_COUNT = env.int("LOGIN_PROXY_COUNT", default=0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# Times are stored in UTC and shown in Luxembourg's time.
USE_TZ = True
TIME_ZONE = "Europe/Luxembourg"
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German"))]
# English dates as in the UK and Luxembourg (config/formats/en), like the portal's en-GB.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# A request body over this answers 413 before it is read (config.middleware), whatever its type.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=20 * 1024 * 1024)

CSRF_FAILURE_VIEW = "config.rest.csrf_failure"

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)

# --- HTTPS behind a proxy (docs/configuration.md) -----------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# The header and value by which the TLS proxy says a request came over https, such as
# "HTTP_X_FORWARDED_PROTO,https"; set it only behind a proxy that always sets that header.
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if len(_proxy_header) == 2 else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp): only the site's own scripts, styles and images -----
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.rest.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Letzshop order integration API",
    "DESCRIPTION": "Stores' Letzshop orders: import, product exceptions, fulfillment, audit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files from drf-spectacular-sidecar, served with the site's static files: the
    # API docs work without the internet and under the site's Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SECURITY": [{"bearerAuth": []}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ExceptionStatusEnum": "exceptions.models.OrderItemException.Status",
        "ExceptionTypeEnum": "exceptions.models.OrderItemException.Type",
        "SyncRunStatusEnum": "letzshop.models.SyncRunStatus",
        "OrderStatusEnum": "orders.models.Order.Status",
        "SubscriptionStatusEnum": "billing.models.Subscription.Status",
        "InvoiceStatusEnum": "billing.models.Invoice.Status",
        "PointReasonEnum": "loyalty.models.PointTransaction.Reason",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# Without CELERY_BROKER_URL, kombu's filesystem transport carries the tasks: no server needed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcasts (worker remote control); kombu would otherwise use ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Countdowns of the fulfillment queue stay far below this (LETZSHOP_QUEUE_MAX_DELAY_SECONDS).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's database scheduler, which also writes beat's heartbeat for /readyz.
CELERY_BEAT_SCHEDULER = "monitoring.beat:HeartbeatScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Two queues (docs/operations.md): imports, which may run for minutes, and everything else
# (fulfillment first), so that a long import never delays a confirmation.
CELERY_TASK_DEFAULT_QUEUE = "fulfillment"
CELERY_TASK_ROUTES = {
    "letzshop.tasks.store_orders_import": {"queue": "imports"},
    "letzshop.tasks.store_orders_import_scheduled": {"queue": "imports"},
    "letzshop.tasks.store_orders_import_run": {"queue": "imports"},
    "letzshop.tasks.fulfillment_*": {"queue": "fulfillment"},
}
CELERY_BEAT_SCHEDULE = {
    # Imports whose process died: their lease lapsed, their run is closed as interrupted and
    # the store imported again.
    "letzshop-import-sweep": {
        "task": "letzshop.tasks.imports_sweep",
        "schedule": env.int("LETZSHOP_IMPORT_SWEEP_SECONDS", default=15),
    },
    # The database is the queue; this sweep picks up due retries and rows a lost message or a
    # killed worker left behind.
    "letzshop-fulfillment-sweep": {
        "task": "letzshop.tasks.fulfillment_queue_sweep",
        "schedule": env.int("LETZSHOP_QUEUE_SWEEP_SECONDS", default=30),
    },
    # Retention: old sync logs, completed queue rows and settled notifications, in batches.
    "letzshop-retention-prune": {
        "task": "letzshop.tasks.retention_prune",
        "schedule": crontab(hour=env.int("RETENTION_PRUNE_HOUR", default=3), minute=17),
    },
    # Billing: close the periods that ended and write their invoices (idempotent; docs/billing.md).
    "billing-periods-close": {
        "task": "billing.tasks.billing_periods_close",
        "schedule": crontab(minute=7),
    },
}

# --- Billing (docs/billing.md) ----------------------------------------------------------------
# The VAT rate on invoices (Luxembourg's standard rate by default), as a fraction.
BILLING_VAT_RATE = Decimal(env("BILLING_VAT_RATE", default="0.17"))
BILLING_CURRENCY = env("BILLING_CURRENCY", default="EUR")
# A function (dotted path) that receives each issued invoice: where a payment provider plugs in
# (billing/payments.py). Empty: invoices are paid outside the platform.
BILLING_PAYMENT_PROVIDER = env("BILLING_PAYMENT_PROVIDER", default="")

# --- Letzshop -------------------------------------------------------------------------------
LETZSHOP_API_ENDPOINT = env("LETZSHOP_API_ENDPOINT", default="https://letzshop.lu/graphql")
LETZSHOP_ALLOWED_HOSTS = env.list("LETZSHOP_ALLOWED_HOSTS", default=["letzshop.lu"])
LETZSHOP_ENCRYPTION_KEYS = env.list("LETZSHOP_ENCRYPTION_KEYS", default=[])
LETZSHOP_CONNECT_TIMEOUT = env.float("LETZSHOP_CONNECT_TIMEOUT", default=5.0)
LETZSHOP_READ_TIMEOUT = env.float("LETZSHOP_READ_TIMEOUT", default=30.0)
LETZSHOP_PAGE_SIZE = env.int("LETZSHOP_PAGE_SIZE", default=100)
# How many shipments a re-import's probe (states and digests only) asks for at once; 0: the
# page size. Larger probes save round trips where Letzshop is slow to answer (docs/import.md).
LETZSHOP_PROBE_PAGE_SIZE = env.int("LETZSHOP_PROBE_PAGE_SIZE", default=0)
LETZSHOP_MAX_RETRY_AFTER_SECONDS = env.int("LETZSHOP_MAX_RETRY_AFTER_SECONDS", default=60)
LETZSHOP_QUEUE_MAX_ATTEMPTS = env.int("LETZSHOP_QUEUE_MAX_ATTEMPTS", default=3)
LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS = env.float("LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS", default=30.0)
LETZSHOP_QUEUE_MAX_DELAY_SECONDS = env.int("LETZSHOP_QUEUE_MAX_DELAY_SECONDS", default=900)
LETZSHOP_QUEUE_STUCK_SECONDS = env.int("LETZSHOP_QUEUE_STUCK_SECONDS", default=300)
# A 429 is Letzshop saying "later": it uses up no attempt; an operation throttled without a
# break for this long fails (docs/fulfillment.md).
LETZSHOP_QUEUE_RATE_LIMIT_GIVE_UP_SECONDS = env.int("LETZSHOP_QUEUE_RATE_LIMIT_GIVE_UP_SECONDS", default=86_400)
# A row woken and still unclaimed this long after its message was due: the message is taken as
# lost and the sweep wakes the row again.
LETZSHOP_QUEUE_WAKE_LOST_SECONDS = env.int("LETZSHOP_QUEUE_WAKE_LOST_SECONDS", default=300)
# One rate limit per Letzshop key, shared by every worker (docs/scaling.md): requests per second
# in any second (0: none); in Redis when the broker is Redis, else in the database ("auto").
LETZSHOP_RATE_LIMIT_PER_SECOND = env.float("LETZSHOP_RATE_LIMIT_PER_SECOND", default=5.0)
LETZSHOP_RATE_LIMIT_BACKEND = env("LETZSHOP_RATE_LIMIT_BACKEND", default="auto")
LETZSHOP_RATE_LIMIT_REDIS_URL = env("LETZSHOP_RATE_LIMIT_REDIS_URL", default="")
# A call whose slot is further ahead than this does not wait: it is a RateLimited for its caller.
LETZSHOP_RATE_LIMIT_MAX_WAIT_SECONDS = env.float("LETZSHOP_RATE_LIMIT_MAX_WAIT_SECONDS", default=10.0)
# Slots are (1 + margin) / rate apart: room for the network's jitter.
LETZSHOP_RATE_LIMIT_MARGIN = env.float("LETZSHOP_RATE_LIMIT_MARGIN", default=0.2)
# The import lease (docs/import.md): renewed by the running import every
# LETZSHOP_IMPORT_LEASE_RENEW_SECONDS; one not renewed for LETZSHOP_IMPORT_LOCK_SECONDS belonged to
# a process that died, and the sweep (every LETZSHOP_IMPORT_SWEEP_SECONDS) closes its run and
# imports the store again.
LETZSHOP_IMPORT_LOCK_SECONDS = env.int("LETZSHOP_IMPORT_LOCK_SECONDS", default=30)
LETZSHOP_IMPORT_LEASE_RENEW_SECONDS = env.float("LETZSHOP_IMPORT_LEASE_RENEW_SECONDS", default=5.0)
# An import fetches and maps its pages in a child process forked from the run, at once with the
# writing (docs/import.md); off: in a thread of the run's process, taking turns with the writing.
LETZSHOP_IMPORT_FETCH_PROCESS = env.bool("LETZSHOP_IMPORT_FETCH_PROCESS", default=True)
# How long POST .../orders/import waits for the worker's result before answering 202.
LETZSHOP_IMPORT_WAIT_SECONDS = env.float("LETZSHOP_IMPORT_WAIT_SECONDS", default=20.0)
# Saving, deleting or testing a Letzshop key, per user (DRF's rate syntax: N/second|minute|hour|day).
LETZSHOP_CREDENTIALS_THROTTLE_RATE = env("LETZSHOP_CREDENTIALS_THROTTLE_RATE", default="10/minute")

# --- Operations (docs/operations.md) ---------------------------------------------------------
# Beat writes a heartbeat this often; /readyz calls it stale after two intervals.
BEAT_HEARTBEAT_SECONDS = env.int("BEAT_HEARTBEAT_SECONDS", default=60)
READINESS_BROKER_TIMEOUT = env.float("READINESS_BROKER_TIMEOUT", default=2.0)
# A platform admin's token reads /metrics, and so does `Authorization: Bearer $METRICS_TOKEN`.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Where web and worker processes of one machine add up their counters (prometheus-client's
# multiprocess mode); empty: each process reports its own. Wiped when the machine's processes start.
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR:
    Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

# Notifications: e-mail through Django's mail (EMAIL_URL, e.g. smtp+tls://user:pass@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ...
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="letzshop-integration@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address, for the links of e-mails (e.g. https://orders.example.lu).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# A store's imports must fail this many times in a row before its people are told.
NOTIFY_SYNC_FAILURES_IN_A_ROW = env.int("NOTIFY_SYNC_FAILURES_IN_A_ROW", default=3)

# Retention, in days, of each kind of row (manage.py letzshop_prune, and beat once a day).
RETENTION_SYNC_LOG_DAYS = env.int("RETENTION_SYNC_LOG_DAYS", default=90)
RETENTION_COMPLETED_QUEUE_DAYS = env.int("RETENTION_COMPLETED_QUEUE_DAYS", default=90)
# A failed row goes only once a person has read its notification, and only after this long.
RETENTION_FAILED_QUEUE_DAYS = env.int("RETENTION_FAILED_QUEUE_DAYS", default=180)
RETENTION_NOTIFICATION_DAYS = env.int("RETENTION_NOTIFICATION_DAYS", default=180)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)

LOGGING = logging_config(log_format=env("LOG_FORMAT", default="plain"), level=env("LOG_LEVEL", default="INFO"))
