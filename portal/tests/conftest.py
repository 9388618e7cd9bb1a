import pytest

from letzshop.services.credentials import credentials_save
from sandbox import DEFAULT_API_KEY, demo_catalog
from stores.services import catalog_import

PASSWORD = "secret-pass-123"  # stores.tests.factories.UserFactory's


@pytest.fixture
def catalog_store(store):
    """The store with the demo catalog (the products the sandbox's barcodes match)."""
    store.name = "Demo Store"
    store.save(update_fields=["name"])
    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    return store


@pytest.fixture
def connected_store(catalog_store, letzshop_sandbox):
    """The store with the demo catalog and credentials pointing at the sandbox on a real port."""
    credentials_save(store=catalog_store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    return catalog_store


def log_in(page, live_server, user, *, next_path: str = "/store/") -> None:
    """Log in through the portal's login page, as a person would."""
    page.goto(f"{live_server.url}/store/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/store/login/" not in url)
