"""Fixtures shared by every app's tests."""

import os
import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from config.tests.clients import api_client_for

pytest_plugins = ["sandbox.tests.fixtures"]

APPS = (
    "merchants",
    "stores",
    "notifications",
    "orders",
    "exceptions",
    "letzshop",
    "billing",
    "loyalty",
    "config",
    "monitoring",
    "portal",
    "sandbox",
    "demo",
)
ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # Every test carries its app's marker, so `make test module=<app>` selects exactly it.
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(ROOT).parts
        if parts and parts[0] == "integration":  # integration/<app>/: tests of that app with others
            parts = parts[1:]
        if parts and parts[0] in APPS:
            item.add_marker(getattr(pytest.mark, parts[0]))


@pytest.fixture(scope="session", autouse=True)
def _test_database_dropped_even_with_open_connections(request):
    """Django cannot drop a PostgreSQL test database another connection still uses (a live
    server thread, a worker process); end those connections first, so the drop always runs."""
    request.getfixturevalue("django_db_setup")
    yield
    from django.db import connections

    connection = connections["default"]
    if "postgresql" not in connection.settings_dict["ENGINE"]:
        return
    name = connection.settings_dict["NAME"]
    connections.close_all()
    with request.getfixturevalue("django_db_blocker").unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


@pytest.fixture(scope="session", autouse=True)
def _metrics_folder_removed():
    """The run's own PROMETHEUS_MULTIPROC_DIR (config.settings_test) goes with the run."""
    yield
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if folder and os.environ.get("PROMETHEUS_MULTIPROC_DIR_OF_TESTS"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _log_context_fresh():
    """Each test starts with no log context, as each request and each task does."""
    from config.logs import log_context_reset

    log_context_reset()
    yield


@pytest.fixture
def imports_inline():
    """Import tasks run where they are sent, as a worker would run them (no worker in most
    tests; those about the worker start a real one)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def store(db):
    from stores.tests.factories import StoreFactory

    return StoreFactory()


@pytest.fixture
def other_store(db):
    from stores.tests.factories import StoreFactory

    return StoreFactory()


@pytest.fixture
def store_user(store):
    from stores.tests.factories import MembershipFactory

    return MembershipFactory(store=store, role="owner").user


@pytest.fixture
def staff_member(store):
    from stores.tests.factories import MembershipFactory

    return MembershipFactory(store=store, role="staff").user


@pytest.fixture
def admin_user(db):
    from stores.tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, username="platform-admin")


@pytest.fixture
def admin_client(client, admin_user):
    """The Django test client logged in as our ``admin_user`` (pytest-django's own would create
    another superuser)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def sandbox_store(store, letzshop_sandbox):
    """A store with the demo catalog, whose credentials point at the sandbox on a real port."""
    from letzshop.services.credentials import credentials_save
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import

    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    return store


@pytest.fixture
def catalog_store(store):
    """The store, named "Demo Store", with the demo catalog (the products the sandbox's barcodes match)."""
    from sandbox import demo_catalog
    from stores.services import catalog_import

    store.name = "Demo Store"
    store.save(update_fields=["name"])
    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    return store


@pytest.fixture
def connected_store(catalog_store, letzshop_sandbox):
    """The store with the demo catalog and credentials pointing at the sandbox on a real port."""
    from letzshop.services.credentials import credentials_save
    from sandbox import DEFAULT_API_KEY

    credentials_save(store=catalog_store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    return catalog_store


@pytest.fixture
def store_api(store_user) -> APIClient:
    return api_client_for(store_user)


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return api_client_for(admin_user)


# --- browser tests ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    # make between two page actions are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    own_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # With that loop running, Django keeps the ORM's connections per async context: the
        # tests' queries would go through a second connection that nothing closes (on SQLite an
        # open file whose locks later break other processes' access). The thread's own
        # connections serve that context too.
        for alias, connection in own_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every page of the admin and the portal lives under a Content-Security-Policy that allows
    # only the site's own assets: a script or style it blocks fails the test that loaded it.
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    context.close()
    assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"


@pytest.fixture
def shipping_carriers(transactional_db):
    """Settings > Shipping as the migrations seed it (a live server's test empties the tables)."""
    import importlib

    from orders.carriers import KNOWN_CARRIERS
    from orders.models import ShippingCarrier

    seed = importlib.import_module("orders.migrations.0002_seed_shipping_carriers")
    for code, name, prefix in seed.CARRIERS:
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name, "label_url_prefix": prefix})
    for code, name in KNOWN_CARRIERS.items():
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def imported_store(connected_store):
    """The demo store after an import of the sandbox's shipments."""
    from letzshop.services.imports import orders_import

    orders_import(store=connected_store, triggered_by="test")
    return connected_store


@pytest.fixture
def admin_page(live_server, page, admin_user):
    """The browser, logged in to the admin through its login page (navigation sidebar folded)."""
    from playwright.sync_api import expect

    from portal.tests.helpers import PASSWORD

    page.add_init_script("window.localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(admin_user.username)
    page.base_url = live_server.url
    return page


@pytest.fixture(autouse=True)
def _throttle_counts_cleared():
    """Throttles count in Django's cache, which outlives a test; ids of users repeat between
    tests, so each test starts with no count."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _language_reset():
    """A request through LocaleMiddleware leaves its language active in the thread; each test
    starts in the default language whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# --- billing and loyalty (their own tests and the integration tests use them) ---------------


@pytest.fixture
def plan(db):
    from billing.tests.factories import PlanFactory

    return PlanFactory(
        code="starter", name="Starter", max_stores=1, min_sync_interval_minutes=30, monthly_order_limit=10
    )


@pytest.fixture
def subscription(store, plan):
    from billing.periods import month_bounds, today
    from billing.tests.factories import SubscriptionFactory

    start, end = month_bounds(today())
    return SubscriptionFactory(merchant=store.merchant, plan=plan, current_period_start=start, current_period_end=end)


@pytest.fixture
def program(store):
    from decimal import Decimal

    from loyalty.services import program_update

    return program_update(merchant=store.merchant, data={"active": True, "points_per_eur": Decimal("1.50")})


@pytest.fixture
def imported(sandbox_store):
    """The store with the demo catalog and the sandbox's orders imported."""
    from letzshop.services.imports import orders_import

    orders_import(store=sandbox_store, triggered_by="command")
    return sandbox_store
