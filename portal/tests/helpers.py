"""What the portal's browser tests share: logging in as a person would."""

PASSWORD = "secret-pass-123"  # stores.tests.factories.UserFactory's


def log_in(page, live_server, user, *, next_path: str = "/store/") -> None:
    """Log in through the portal's login page, as a person would."""
    page.goto(f"{live_server.url}/store/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/store/login/" not in url)
