"""The API docs (Swagger UI) work without the internet and under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui]


def test_swagger_ui_renders_from_the_sites_own_files(live_server, page):
    # (The page fixture fails the test on anything the Content-Security-Policy blocks.)
    outside = []
    # Anything not served by the site itself is cut off, as on a machine without the internet.
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: (outside.append(route.request.url), route.abort()),
    )
    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Letzshop order integration API")
    expect(page.locator(".opblock-tag", has_text="store").first).to_be_visible()
    assert outside == []


def test_the_api_docs_page_keeps_the_sites_content_security_policy(client):
    response = client.get("/api/docs/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "cdn" not in response.content.decode()
