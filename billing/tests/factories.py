from datetime import date
from decimal import Decimal

import factory

from billing.models import Plan, Subscription
from merchants.tests.factories import MerchantFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"Plan {n}")
    max_stores = 2
    min_sync_interval_minutes = 30
    monthly_order_limit = 10
    price_monthly = Decimal("49.00")
    overage_price_per_order = Decimal("0.2500")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    merchant = factory.SubFactory(MerchantFactory)
    plan = factory.SubFactory(PlanFactory)
    status = Subscription.Status.ACTIVE
    current_period_start = date(2026, 11, 1)
    current_period_end = date(2026, 12, 1)
