"""Benchmark: M stores on auto-sync over beat and K Celery workers, PostgreSQL and Redis.

For each K (worker processes) and M (stores): the sandbox in many-store mode (one key per store,
new unconfirmed shipments over time, a latency and a rate limit per key) in its own process; a
fresh PostgreSQL database; Redis as the broker and the rate limit's store; beat (per-store
schedules at a short interval) and K workers (``-Q celery,imports,fulfillment``, a thread pool).
The stores sync for a few intervals; then beat stops and N confirmations are queued at once and
drained across the K workers. It prints:

- the time for every store to finish a round (the first, historical one, and the slowest later one);
- the staleness of new orders: appeared on Letzshop -> imported, p50 / p95;
- fairness: the slowest store's import against the median store's;
- the confirmations drained per second, and duplicates (confirmations sent twice, imports of one
  store overlapping, orders imported twice): all must be 0;
- the peak of database connections, the workers' memory, and the most requests a key got in any
  second against its limit (and the 429s).

    make bench-scale args=--quick          # K=2, M=20, 2 rounds of 10 s, 1,000 confirmations
    make bench-scale                        # K=1,2,4 x M=50,200, 10,000 confirmations each
    make bench-scale args="--workers 2 --stores 50"

Needs PostgreSQL (--database-url; the database named there is dropped and created) and Redis
(--redis-url; the db named there is flushed before and after).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from _common import ROOT, free_port

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/letzshop_bench_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
SECRET = "benchmark-only-secret-key-0123456789abcdefghijklmnop"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


# --- processes ------------------------------------------------------------------------------


def _env(args, database_url: str) -> dict[str, str]:
    # Each process keeps its own metrics: none of them is scraped here.
    inherited = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "LETZSHOP_ALLOWED_HOSTS": "letzshop.lu,127.0.0.1:*",
        "LETZSHOP_RATE_LIMIT_PER_SECOND": str(args.rate_limit),
        "LETZSHOP_RATE_LIMIT_MARGIN": str(args.margin),
        "DATABASE_POOL_MAX_SIZE": str(args.concurrency + 2),
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(ROOT / "var" / "bench" / "scale"),
    }


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = open(log, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def running(process: subprocess.Popen):
    try:
        yield process
    finally:
        _stop(process)


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise RuntimeError(f"timed out waiting for {what}")


def _get(base: str, path: str) -> dict:
    return json.loads(urllib.request.urlopen(f"{base}{path}", timeout=60).read())


def _group_rss_mb(session: int) -> float:
    """The resident memory of every process of a session (a worker and its pool), in MiB."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[3]) != session:
                continue
            for line in Path(f"/proc/{entry.name}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


class Watch(threading.Thread):
    """Samples the database's connections and the workers' memory twice a second."""

    def __init__(self, admin_url: str, database: str, workers: list[subprocess.Popen]):
        super().__init__(daemon=True)
        self.admin_url, self.database, self.workers = admin_url, database, workers
        self.peak_connections = 0
        self.peak_rss = [0.0] * len(workers)
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stopping.is_set():
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.peak_connections = max(self.peak_connections, count)
                for index, worker in enumerate(self.workers):
                    self.peak_rss[index] = max(self.peak_rss[index], _group_rss_mb(worker.pid))
                self.stopping.wait(0.5)


# --- one configuration ----------------------------------------------------------------------


def run_one(args, workers: int, stores: int) -> dict:
    import psycopg

    parts = urlsplit(args.database_url)
    database = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{database}_template"')
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()

    from django.db import transaction
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog
    from letzshop.services.credentials import credentials_save
    from letzshop.services.fulfillment import order_confirm
    from merchants.models import Merchant
    from sandbox import demo_catalog, fleet_key
    from stores.services import catalog_import, store_create

    logs = ROOT / "var" / "bench" / "scale"
    logs.mkdir(parents=True, exist_ok=True)
    env = _env(args, args.database_url)
    per_store = math.ceil(args.confirmations / stores)
    port = free_port()
    sandbox = [sys.executable, "manage.py", "letzshop_sandbox", "--port", str(port), "--stores", str(stores)]
    sandbox += ["--shipments", str(per_store), "--new-per-minute", str(args.new_per_minute)]
    sandbox += ["--rate-limit", str(args.rate_limit), "--delay-ms", str(args.latency_ms), "--seed", "scale"]
    sandbox += ["--unmatched-ratio", "0"]
    base = f"http://127.0.0.1:{port}"
    result: dict = {"workers": workers, "stores": stores}

    with ExitStack() as stack:
        stack.enter_context(
            running(_spawn(sandbox, {**env, "DATABASE_URL": "sqlite:///:memory:"}, logs / "sandbox.log"))
        )
        _wait(lambda: _try_get(base, "/_sandbox/state"), 120, "the sandbox")

        merchant = Merchant.objects.create(name="Scale")
        catalog = [dict(row) for row in demo_catalog()]
        interval, _ = IntervalSchedule.objects.get_or_create(every=args.interval, period=IntervalSchedule.SECONDS)
        for index in range(1, stores + 1):
            store = store_create(merchant=merchant, name=f"Store {index}", code=f"store-{index:04d}")
            catalog_import(store=store, rows=catalog)
            credentials_save(
                store=store, api_key=fleet_key(index), api_endpoint=f"{base}/graphql", auto_sync_enabled=True
            )
        # The platform's shortest interval is minutes; the benchmark's rounds are seconds long.
        PeriodicTask.objects.filter(name__startswith="letzshop-import-store-").update(interval=interval)

        worker_processes = []
        for number in range(1, workers + 1):
            command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "celery,imports,fulfillment"]
            command += ["--pool", "threads", f"--concurrency={args.concurrency}", "-n", f"scale{number}@%h"]
            command += ["--without-gossip", "--without-mingle", "--loglevel=INFO"]
            worker = _spawn(command, env, logs / f"worker{number}.log")
            stack.enter_context(running(worker))
            worker_processes.append(worker)
        for number in range(1, workers + 1):
            _wait(lambda n=number: "ready." in (logs / f"worker{n}.log").read_text(), 120, f"worker {number} to start")
        watch = Watch(admin_url, database, worker_processes)
        watch.start()

        beat_command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING"]
        beat_command += ["-s", str(logs / "beat-schedule"), "--max-interval", "1"]
        beat = _spawn(beat_command, env, logs / "beat.log")
        started = time.time()
        imports = LetzshopSyncLog.objects.filter(operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT)
        with running(beat):
            time.sleep(args.rounds * args.interval)

            def every_store_done() -> bool:
                done = imports.filter(completed_at__isnull=False).values("store").distinct().count()
                return done == stores

            _wait(every_store_done, 600, "every store's first round")
        ran_for = time.time() - started
        _wait(lambda: not imports.filter(completed_at__isnull=True).exists(), 600, "the last imports to end")

        # Rounds: each store's n-th import.
        runs: dict[int, list[tuple[float, float]]] = {}
        for store_id, begun, ended in imports.values_list("store_id", "started_at", "completed_at").order_by(
            "started_at"
        ):
            runs.setdefault(store_id, []).append((begun.timestamp(), ended.timestamp()))
        first_round = max(runs[store][0][1] for store in runs) - started
        later = []
        for number in range(1, min(len(spans) for spans in runs.values())):
            later.append(max(s[number][1] for s in runs.values()) - min(s[number][0] for s in runs.values()))
        overlapping = sum(1 for spans in runs.values() for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])
        per_store_ms = [
            statistics.median([ended - begun for begun, ended in spans[1:] or spans]) * 1000 for spans in runs.values()
        ]

        # Staleness: appeared on Letzshop -> imported, for the new shipments imported.
        appeared = {
            sid: at for by_key in _get(base, "/_sandbox/appeared")["appeared"].values() for sid, at in by_key.items()
        }
        imported = dict(
            LetzshopOrder.objects.filter(letzshop_shipment_id__in=list(appeared)).values_list(
                "letzshop_shipment_id", "created_at"
            )
        )
        staleness = [imported[sid].timestamp() - appeared[sid] for sid in imported]
        orders_total = LetzshopOrder.objects.count()
        distinct = LetzshopOrder.objects.values("store", "letzshop_shipment_id").distinct().count()

        # Drain: N confirmations queued in one transaction; their wakes leave at its commit.
        # Taken store by store in turn, as when many stores confirm at once: a queue that held one
        # store's backlog first would be drained at that one key's rate.
        by_store: dict[int, list] = {}
        unconfirmed = LetzshopOrder.objects.filter(letzshop_state="unconfirmed").order_by("pk")
        for order in unconfirmed.exclude(letzshop_shipment_id__in=list(appeared)):
            by_store.setdefault(order.store_id, []).append(order)
        targets = [order for batch in itertools.zip_longest(*by_store.values()) for order in batch if order][
            : args.confirmations
        ]
        before = _get(base, "/_sandbox/keys")["keys"]
        with transaction.atomic():
            for order in targets:
                order_confirm(order=order)
        queued_at = time.time()
        queue = LetzshopFulfillmentQueue.objects
        _wait(lambda: queue.filter(status__in=["completed", "failed"]).count() >= len(targets), 1800, "the drain")
        drained = max(queue.values_list("completed_at", flat=True)).timestamp() - queued_at
        keys = _get(base, "/_sandbox/keys")["keys"]
        sent = sum(keys[key]["mutations"] - before[key]["mutations"] for key in keys)
        watch.stopping.set()
        watch.join()

    result.update(
        ran_for=ran_for,
        first_round=first_round,
        later_round=max(later) if later else float("nan"),
        rounds=min(len(spans) for spans in runs.values()),
        staleness_p50=percentile(staleness, 0.5),
        staleness_p95=percentile(staleness, 0.95),
        staleness_n=len(staleness),
        appeared_n=len(appeared),
        import_median_ms=statistics.median(per_store_ms),
        import_slowest_ms=max(per_store_ms),
        confirmations=len(targets),
        failed=queue.filter(status="failed").count(),
        drain_seconds=drained,
        ops_per_second=len(targets) / drained,
        duplicate_sends=sent - len(targets),
        overlapping_imports=overlapping,
        duplicate_orders=orders_total - distinct,
        peak_connections=watch.peak_connections,
        worker_rss=watch.peak_rss,
        key_max_sliding=max(stats["max_sliding_second"] for stats in keys.values()),
        key_max_second=max(stats["max_per_second"] for stats in keys.values()),
        throttled=sum(stats["throttled"] for stats in keys.values()),
    )
    return result


def _try_get(base: str, path: str):
    try:
        return _get(base, path)
    except OSError:
        return None


def report(args, result: dict) -> None:
    r = result
    print(f"\nK={r['workers']} workers x {args.concurrency} threads, M={r['stores']} stores", flush=True)
    print(
        f"  every store's first round (historical, {math.ceil(args.confirmations / r['stores'])} shipments each):"
        f" {r['first_round']:6.1f} s"
    )
    print(
        f"  every store's later round, slowest ({r['rounds']} rounds of {args.interval} s): {r['later_round']:6.1f} s"
    )
    print(
        f"  staleness of new orders p50 / p95:   {r['staleness_p50']:6.1f} / {r['staleness_p95']:.1f} s"
        f"   ({r['staleness_n']} of {r['appeared_n']} appeared were imported)"
    )
    print(
        f"  import, median store / slowest:      {r['import_median_ms']:6.0f} / {r['import_slowest_ms']:.0f} ms"
        f"   (x{r['import_slowest_ms'] / r['import_median_ms']:.2f})"
    )
    print(
        f"  {r['confirmations']} confirmations drained in:   {r['drain_seconds']:6.1f} s"
        f"   = {r['ops_per_second']:.0f} ops/s, {r['failed']} failed"
    )
    print(
        f"  duplicates: sent twice / overlapping imports / orders twice: "
        f"{r['duplicate_sends']} / {r['overlapping_imports']} / {r['duplicate_orders']}"
    )
    print(f"  peak database connections:           {r['peak_connections']:6d}")
    print(f"  worker memory, peak per worker:      {', '.join(f'{mb:.0f}' for mb in r['worker_rss'])} MiB")
    print(
        f"  most requests a key got in a second: {r['key_max_sliding']} sliding, {r['key_max_second']} wall-clock"
        f" (limit {args.rate_limit}); 429s: {r['throttled']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="K=2, M=20, 2 rounds of 10 s, 1,000 confirmations")
    parser.add_argument("--workers", default="1,2,4", help="worker processes, a list (K)")
    parser.add_argument("--stores", default="50,200", help="stores, a list (M)")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker")
    parser.add_argument("--interval", type=int, default=30, help="seconds between two imports of a store")
    parser.add_argument("--rounds", type=int, default=3, help="intervals to run auto-sync for")
    parser.add_argument("--confirmations", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=100, help="Letzshop's simulated latency")
    parser.add_argument("--rate-limit", type=int, default=5, help="requests per key and second")
    parser.add_argument("--margin", type=float, default=0.2, help="LETZSHOP_RATE_LIMIT_MARGIN of the workers")
    parser.add_argument("--new-per-minute", type=float, default=2.0, help="new orders per store and minute")
    parser.add_argument("--database-url", default=DEFAULT_DB, help="PostgreSQL (the database is recreated)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="Redis (the db is flushed)")
    args = parser.parse_args()
    if args.quick:
        args.workers, args.stores, args.interval, args.rounds, args.confirmations = "2", "20", 10, 2, 1000
        args.new_per_minute = 6.0

    # The benchmark's own process: Django on the template database, migrated once.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.update(_env(args, args.database_url))
    import psycopg

    parts = urlsplit(args.database_url)
    database = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    template_url = parts._replace(path=f"/{database}_template").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}_template" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}_template"')
    os.environ["DATABASE_URL"] = template_url
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=dict(os.environ), check=True)
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()

    print(
        f"Scale benchmark: PostgreSQL + Redis, Letzshop latency {args.latency_ms} ms, limit {args.rate_limit} "
        f"requests/s per key, {args.new_per_minute:g} new orders per store and minute, auto-sync every "
        f"{args.interval} s for {args.rounds} intervals, {os.cpu_count()} CPUs",
        flush=True,
    )
    results = []
    try:
        for stores in [int(value) for value in args.stores.split(",")]:
            for workers in [int(value) for value in args.workers.split(",")]:
                result = run_one(args, workers, stores)
                report(args, result)
                results.append(result)
    finally:
        import redis
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(args.redis_url).flushdb()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'DROP DATABASE IF EXISTS "{database}_template" WITH (FORCE)')
    bad = [
        r for r in results if r["duplicate_sends"] or r["overlapping_imports"] or r["duplicate_orders"] or r["failed"]
    ]
    if bad:
        sys.exit("duplicates or failures: see above")


if __name__ == "__main__":
    main()
