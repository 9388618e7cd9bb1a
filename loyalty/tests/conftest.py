from decimal import Decimal

import pytest

from letzshop.services.credentials import credentials_save
from letzshop.services.imports import orders_import
from loyalty.services import program_update
from sandbox import DEFAULT_API_KEY, demo_catalog
from stores.services import catalog_import


@pytest.fixture
def program(store):
    return program_update(merchant=store.merchant, data={"active": True, "points_per_eur": Decimal("1.50")})


@pytest.fixture
def imported(store, letzshop_sandbox):
    """The store with the demo catalog and the sandbox's orders imported."""
    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    orders_import(store=store, triggered_by="command")
    return store
