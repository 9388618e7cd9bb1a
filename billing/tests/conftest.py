import pytest

from billing.periods import month_bounds, today
from billing.tests.factories import PlanFactory, SubscriptionFactory


@pytest.fixture
def plan(db):
    return PlanFactory(
        code="starter", name="Starter", max_stores=1, min_sync_interval_minutes=30, monthly_order_limit=10
    )


@pytest.fixture
def subscription(store, plan):
    start, end = month_bounds(today())
    return SubscriptionFactory(merchant=store.merchant, plan=plan, current_period_start=start, current_period_end=end)
