import pytest

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui]


def test_the_admin_login_page_renders_in_chromium(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")
    assert page.get_by_label("Username").is_visible()
    assert "Log in" in page.title()


def test_the_orm_keeps_one_connection_while_the_browser_runs(page):
    import asyncio

    from django.db import connections

    asyncio.get_running_loop()  # Playwright's loop runs in this thread: Django sees an async context
    # ...and still hands out the thread's own connection, not a second one nothing would close.
    assert connections["default"] is connections._connections._storage.default
