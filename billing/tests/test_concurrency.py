"""The locks that keep a plan's limit and the invoice numbers right, under real concurrency
(PostgreSQL: SQLite serialises every write, so it proves nothing here)."""

import threading
from datetime import date, datetime

import pytest
from django.db import connection, connections
from django.utils import timezone

from billing.models import Invoice
from billing.services import periods_close
from billing.tests.factories import SubscriptionFactory
from config.errors import Conflict
from stores.models import Store
from stores.services import store_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.billing,
    pytest.mark.skipif(connection.display_name != "PostgreSQL", reason="row locks are the point: PostgreSQL only"),
]


def run_together(*calls):
    """Start every call at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the outcome of that call
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_stores_created_at_once_cannot_both_take_the_last_place(store):
    subscription = SubscriptionFactory(merchant=store.merchant)
    subscription.plan.max_stores = 2
    subscription.plan.save()
    outcomes = run_together(
        lambda: store_create(merchant=store.merchant, name="Second A"),
        lambda: store_create(merchant=store.merchant, name="Second B"),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Store"], outcomes
    assert any(isinstance(o, Conflict) for o in outcomes)
    assert Store.objects.filter(merchant=store.merchant).count() == 2


def test_periods_closed_at_once_give_one_invoice_each_and_numbers_without_gaps(db):
    subscriptions = [
        SubscriptionFactory(current_period_start=date(2026, 10, 1), current_period_end=date(2026, 11, 1))
        for _ in range(4)
    ]
    after = timezone.make_aware(datetime(2026, 11, 2))
    run_together(*[lambda: periods_close(now=after) for _ in range(4)])
    invoices = list(Invoice.objects.order_by("number").values_list("number", "merchant_id", "period_start"))
    assert [number for number, _merchant, _start in invoices] == [1, 2, 3, 4]
    assert sorted(merchant for _n, merchant, _s in invoices) == sorted(s.merchant_id for s in subscriptions)
    assert {start for _n, _m, start in invoices} == {date(2026, 10, 1)}
