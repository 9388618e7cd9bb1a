import pytest

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui]


def test_the_admin_login_page_renders_in_chromium(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")
    assert page.get_by_label("Username").is_visible()
    assert "Log in" in page.title()
