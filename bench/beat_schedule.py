"""Benchmark: what per-store beat schedules cost at N stores (default 1,000).

Each store on auto-sync has its own django-celery-beat entry (letzshop.services.credentials.
autosync_schedule). This creates N such stores and times, with SQL queries counted, what beat's
database scheduler does with them: loading every entry (at start, and again after any entry
changed), a tick with every store due (one message each), a tick with none due, and the sync
that writes every entry's last run back.

    .venv/bin/python bench/beat_schedule.py
    .venv/bin/python bench/beat_schedule.py --stores 10000 --database-url postgres://postgres@127.0.0.1:5432/letzshop_bench_beat
"""

import argparse
import os
import time

from _common import QueryCounter, peak_rss_mb, setup_django


def timed(counter, func):
    before = counter.count
    started = time.perf_counter()
    result = func()
    return (time.perf_counter() - started) * 1000, counter.count - before, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/letzshop_bench_beat", help="recreated"
    )
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = "memory://"
    database = setup_django(args.database_url, "beat")
    from django.db import connection
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from config.celery import app
    from letzshop.services.credentials import credentials_save
    from merchants.models import Merchant
    from monitoring.beat import HeartbeatScheduler
    from stores.models import Store

    merchant = Merchant.objects.create(name="Beat")
    Store.objects.bulk_create(
        [Store(merchant=merchant, name=f"Store {n}", code=f"store-{n:05d}") for n in range(args.stores)]
    )
    started = time.perf_counter()
    for store in Store.objects.all():
        credentials_save(
            store=store, api_key="letzshop-key", api_endpoint="https://letzshop.lu/graphql", auto_sync_enabled=True
        )
    created = time.perf_counter() - started
    entries = PeriodicTask.objects.filter(name__startswith="letzshop-import-store-").count()
    # Every store due at once (beat's start after a stop, or every store on the same interval).
    PeriodicTask.objects.filter(name__startswith="letzshop-import-store-").update(
        last_run_at=timezone.now() - timezone.timedelta(days=1)
    )

    sent = []
    app.conf.broker_url = "memory://"
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        load_ms, load_q, scheduler = timed(counter, lambda: HeartbeatScheduler(app=app))
        original = scheduler.apply_async

        def apply_async(entry, *a, **kw):
            sent.append(entry.name)
            return original(entry, *a, **kw)

        scheduler.apply_async = apply_async

        def send_every_due() -> int:
            # Beat sends one due entry per tick and ticks again at once, comparing its whole
            # schedule on every tick.
            ticks = 0
            while len(sent) < entries and ticks < 10 * entries:
                scheduler.tick()
                ticks += 1
            return ticks

        all_due_ms, all_due_q, ticks = timed(counter, send_every_due)
        messages = len(sent)
        none_due_ms, none_due_q, _ = timed(counter, scheduler.tick)
        sync_ms, sync_q, _ = timed(counter, scheduler.sync)
        # One store changes its interval: the scheduler notices and reloads every entry.
        store = Store.objects.first()
        credentials_save(store=store, sync_interval_minutes=10)
        scheduler._last_timestamp = timezone.now() - timezone.timedelta(days=1)  # as if seen before the change
        reload_ms, reload_q, _ = timed(counter, lambda: scheduler.schedule)
        due_after = PeriodicTask.objects.filter(last_run_at__lte=timezone.now()).count()

    print(f"Beat with per-store schedules on {database}: {args.stores} stores on auto-sync ({entries} entries)")
    print(f"  creating the entries (credentials saved):  {created:8.1f} s")
    print(f"  loading every entry (start):               {load_ms:8.0f} ms  {load_q:5d} queries")
    print(
        f"  every store due: ticks until all are sent:  {all_due_ms:8.0f} ms  {all_due_q:5d} queries, "
        f"{messages} sent in {ticks} ticks"
    )
    print(f"  a tick with none due:                      {none_due_ms:8.1f} ms  {none_due_q:5d} queries")
    print(f"  sync (every entry's last run written):     {sync_ms:8.0f} ms  {sync_q:5d} queries ({due_after} rows)")
    print(f"  reload after one entry changed:            {reload_ms:8.0f} ms  {reload_q:5d} queries")
    print(f"  peak memory of this process:               {peak_rss_mb():8.0f} MiB")


if __name__ == "__main__":
    main()
