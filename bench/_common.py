"""Shared set-up of the benchmarks: a Django project on its own database, and a sandbox in its
own process on a real port (so that it does not share the benchmark's interpreter)."""

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str | None, name: str) -> str:
    """Point Django at the benchmark's own database (a fresh one) and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As in production: with DEBUG on, Django would also keep the text of every query.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("LETZSHOP_ALLOWED_HOSTS", "letzshop.lu,127.0.0.1:*")
    # These benchmarks measure the platform's own work on one key: no shared rate limit.
    os.environ.setdefault("LETZSHOP_RATE_LIMIT_PER_SECOND", "0")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        _recreate_postgres(database_url)
    else:
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.display_name


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def sandbox_process(**options):
    """``manage.py letzshop_sandbox`` in a child process; yields its GraphQL URL."""
    port = free_port()
    args = [sys.executable, "manage.py", "letzshop_sandbox", "--port", str(port)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    env = {**os.environ, "DATABASE_URL": "sqlite:///:memory:"}
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # up to a minute: Django's start alone takes seconds on a busy machine
            try:
                urllib.request.urlopen(f"{base}/_sandbox/state", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the sandbox did not start")
        yield f"{base}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)


def sandbox_control(url: str, path: str, body: dict | None = None) -> dict:
    import json

    base = url.rsplit("/graphql", 1)[0]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


class QueryCounter:
    """Counts SQL statements run through Django's connection (in this thread)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(runs: int, func):
    """The fastest of ``runs`` timings of ``func()`` (seconds) and its last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result
