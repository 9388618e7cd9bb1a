import pytest

from letzshop.services.credentials import credentials_save
from sandbox import DEFAULT_API_KEY, demo_catalog
from stores.services import catalog_import


@pytest.fixture
def sandbox_store(store, letzshop_sandbox):
    """A store with the demo catalog, whose credentials point at the sandbox on a real port."""
    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    return store
