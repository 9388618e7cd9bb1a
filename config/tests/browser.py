"""Screenshots of the browser tests."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The README shows docs/screenshots/; the browser tests rewrite them with `make screenshots`
# (UPDATE_SCREENSHOTS=1) and otherwise leave theirs under var/, so a test run changes no file
# of the repository.
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "var/screenshots")


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of a page (the README shows docs/screenshots/<name>.png); a long list
    is better shown as the window shows it (``full_page=False``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
