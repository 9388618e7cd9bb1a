"""``manage.py seed_demo``: a platform admin, a merchant with a store and a store user, the
store's catalog, Letzshop credentials pointing at the sandbox, the merchant on a demo plan and
its loyalty program switched on. Running it again changes
nothing but the credentials' endpoint and key.

Everything is created through the domain services, so the demo holds only data the platform
itself could have written."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from billing.models import Plan
from billing.services import plan_create, subscription_set
from letzshop.services.credentials import credentials_save
from loyalty.services import program_update
from merchants.models import Merchant
from merchants.services import merchant_create
from sandbox.catalog import demo_catalog
from stores.models import Store, StoreMembership
from stores.services import catalog_import, membership_add, store_create, user_create

ADMIN_LOGIN = ("admin", "letzshop-admin")
STORE_LOGIN = ("store", "letzshop-store")
DEMO_STORE_CODE = "demo-store"
DEMO_MERCHANT = "Demo Merchant"
DEMO_PLAN = {
    "name": "Starter",
    "max_stores": 3,
    "min_sync_interval_minutes": 5,
    "monthly_order_limit": 500,
    "price_monthly": Decimal("29.00"),
    "overage_price_per_order": Decimal("0.1000"),
}


class Command(BaseCommand):
    help = "Create the demo admin, merchant, store, store user and catalog (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765/graphql")
        parser.add_argument("--api-key", default="letzshop-sandbox-key")

    @transaction.atomic
    def handle(self, *args, sandbox_url, api_key, **options):
        users = get_user_model().objects
        if not users.filter(username=ADMIN_LOGIN[0]).exists():
            user_create(username=ADMIN_LOGIN[0], password=ADMIN_LOGIN[1], email="admin@example.lu", is_superuser=True)
        merchant = Merchant.objects.filter(name=DEMO_MERCHANT).first() or merchant_create(
            name=DEMO_MERCHANT, email="hello@example.lu"
        )
        store = Store.objects.filter(code=DEMO_STORE_CODE).first() or store_create(
            merchant=merchant, name="Demo Store", code=DEMO_STORE_CODE
        )
        store_user = users.filter(username=STORE_LOGIN[0]).first() or user_create(
            username=STORE_LOGIN[0], password=STORE_LOGIN[1], email="store@example.lu"
        )
        if not StoreMembership.objects.filter(user=store_user, store=store).exists():
            membership_add(store=store, user_id=store_user.pk, role=StoreMembership.Role.OWNER)
        result = catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=api_key, api_endpoint=sandbox_url)
        plan = Plan.objects.filter(code="starter").first() or plan_create(code="starter", data=DEMO_PLAN)
        subscription = subscription_set(merchant=merchant, plan_code=plan.code, status="active")
        program = program_update(merchant=merchant, data={"active": True, "points_per_eur": Decimal("1.00")})

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Platform admin: {ADMIN_LOGIN[0]} / {ADMIN_LOGIN[1]}   (http://127.0.0.1:8000/admin/)")
        self.stdout.write(f"  Store user:     {STORE_LOGIN[0]} / {STORE_LOGIN[1]}   (http://127.0.0.1:8000/store/)")
        self.stdout.write(f"  Store:          {store.name} (code {store.code}, id {store.pk})")
        self.stdout.write(f"  Catalog:        {result.created} created, {result.updated} updated")
        self.stdout.write(f"  Letzshop:       {sandbox_url} (the sandbox)")
        self.stdout.write(f"  Plan:           {plan.name} ({subscription.get_status_display()})")
        self.stdout.write(f"  Loyalty:        {program.points_per_eur} point(s) per euro")
