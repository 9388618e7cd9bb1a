"""The API key never reaches the browser: not in a page, not in any answer the pages' scripts
load from the API (the pages render no data on the server; the browser is where it would leak)."""

import pytest
from django.urls import reverse

from letzshop.services.credentials import credentials_save
from letzshop.tests.factories import LetzshopOrderFactory
from portal.tests.helpers import log_in
from sandbox import DEFAULT_API_KEY

pytestmark = [pytest.mark.frontend, pytest.mark.store_ui, pytest.mark.django_db(transaction=True)]

PAGES = ["portal:home", "portal:settings", "portal:orders", "portal:exceptions", "portal:queue", "portal:logs"]


def test_no_page_and_no_answer_the_pages_load_carries_the_api_key(live_server, page, store, store_user):
    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint="https://letzshop.lu/graphql")
    order = LetzshopOrderFactory(store=store)
    bodies: dict[str, str] = {}

    def keep(response):
        if response.url.startswith(live_server.url) and response.request.resource_type in ("document", "xhr", "fetch"):
            try:
                bodies[response.url] = response.text()
            except Exception:  # a redirect has no body to read
                bodies.setdefault(response.url, "")

    page.on("response", keep)
    log_in(page, live_server, store_user)
    for name in PAGES:
        page.goto(f"{live_server.url}{reverse(name)}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/store/orders/{order.pk}/")
    page.wait_for_load_state("networkidle")

    api_answers = [url for url in bodies if "/api/v1/store/" in url]
    assert any("/letzshop/credentials" in url or "/letzshop/status" in url for url in api_answers), api_answers
    assert any(f"/letzshop/orders/{order.pk}" in url for url in api_answers), api_answers
    leaking = [url for url, body in bodies.items() if DEFAULT_API_KEY in body]
    assert not leaking, leaking
