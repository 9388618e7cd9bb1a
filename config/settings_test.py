"""Settings for the test suite: the real settings, with test defaults for what is unset.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so the same suite runs on
SQLite and on PostgreSQL + Redis (.ci/run does both).
"""

import os
import secrets

# A fresh key per run (a published one is refused with DEBUG off); processes the tests start
# inherit it through the environment.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("LETZSHOP_ALLOWED_HOSTS", "letzshop.lu,127.0.0.1:*,localhost:*")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var"))
# The metrics of the run's processes (the test process, the workers it starts) add up here, as
# in production; set before prometheus-client is first imported. conftest.py removes it.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(os.environ["VAR_DIR"], f"metrics-test-{os.getpid()}")
    os.environ["PROMETHEUS_MULTIPROC_DIR_OF_TESTS"] = "1"

from .settings import *  # noqa: E402,F403
from .settings import CELERY_BROKER_URL, DATABASES, VAR_DIR  # noqa: E402

if "sqlite" in DATABASES["default"]["ENGINE"]:
    # One test database file per test run, so that two runs side by side do not collide.
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests call services directly; tasks enqueued on commit go to a broker no worker reads unless
# a test starts a real worker (those tests set the broker themselves).
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_URL = "memory://"
# Short waits so that retry paths finish within a test.
LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS = 0.05
LETZSHOP_MAX_RETRY_AFTER_SECONDS = 3
LETZSHOP_READ_TIMEOUT = 10.0
# The suite measures the platform's own work (queries per operation...): no shared rate limit
# unless a test asks for one (integration/letzshop/test_rate_limit.py) or the environment sets it.
LETZSHOP_RATE_LIMIT_PER_SECOND = float(os.environ.get("LETZSHOP_RATE_LIMIT_PER_SECOND", "0"))
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
