"""``manage.py seed_demo``: a platform admin, a merchant with a store and a store user, the
store's catalog, and Letzshop credentials pointing at the sandbox. Running it again changes
nothing but the credentials' endpoint and key."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from letzshop.sandbox.catalog import demo_catalog
from letzshop.services.credentials import credentials_save
from merchants.models import Merchant
from stores.models import Store, StoreMembership
from stores.services import catalog_import, placeholder_product_get

ADMIN_LOGIN = ("admin", "letzshop-admin")
STORE_LOGIN = ("store", "letzshop-store")
DEMO_STORE_CODE = "demo-store"


class Command(BaseCommand):
    help = "Create the demo admin, merchant, store, store user and catalog (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765/graphql")
        parser.add_argument("--api-key", default="letzshop-sandbox-key")

    @transaction.atomic
    def handle(self, *args, sandbox_url, api_key, **options):
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username=ADMIN_LOGIN[0], defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.lu"}
        )
        if created:
            admin.set_password(ADMIN_LOGIN[1])
            admin.save()
        merchant, _ = Merchant.objects.get_or_create(name="Demo Merchant", defaults={"email": "hello@example.lu"})
        store, _ = Store.objects.get_or_create(
            code=DEMO_STORE_CODE, defaults={"merchant": merchant, "name": "Demo Store"}
        )
        placeholder_product_get(store=store)
        store_user, created = User.objects.get_or_create(
            username=STORE_LOGIN[0], defaults={"email": "store@example.lu"}
        )
        if created:
            store_user.set_password(STORE_LOGIN[1])
            store_user.save()
        StoreMembership.objects.get_or_create(
            user=store_user, store=store, defaults={"role": StoreMembership.Role.OWNER}
        )
        result = catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=api_key, api_endpoint=sandbox_url)

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Platform admin: {ADMIN_LOGIN[0]} / {ADMIN_LOGIN[1]}   (http://127.0.0.1:8000/admin/)")
        self.stdout.write(f"  Store user:     {STORE_LOGIN[0]} / {STORE_LOGIN[1]}   (http://127.0.0.1:8000/store/)")
        self.stdout.write(f"  Store:          {store.name} (code {store.code}, id {store.pk})")
        self.stdout.write(f"  Catalog:        {result.created} created, {result.updated} updated")
        self.stdout.write(f"  Letzshop:       {sandbox_url} (the sandbox)")
