from decimal import Decimal

import pytest

from letzshop.services.imports import orders_import
from loyalty.services import program_update


@pytest.fixture
def program(store):
    return program_update(merchant=store.merchant, data={"active": True, "points_per_eur": Decimal("1.50")})


@pytest.fixture
def imported(sandbox_store):
    """The store with the demo catalog and the sandbox's orders imported."""
    orders_import(store=sandbox_store, triggered_by="command")
    return sandbox_store
