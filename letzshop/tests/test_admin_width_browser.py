"""The admin's Letzshop pages fit a 1366 px wide screen (a common laptop) in every language:
no list cut off, no link hidden past the right edge."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui, pytest.mark.usefixtures("shipping_carriers")]


PAGES = [
    "/admin/letzshop/letzshopstore/",
    "/admin/letzshop/letzshoporder/",
    "/admin/orders/order/",
    "/admin/exceptions/orderitemexception/",
    "/admin/letzshop/letzshopfulfillmentqueue/",
    "/admin/letzshop/letzshopsynclog/",
    "/admin/orders/shippingcarrier/",
]

# The page wider than the window, or a list scrolled sideways inside its box (cut off).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const boxes = [...document.querySelectorAll('#content *')]
    .filter((el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX))
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.id || el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
  return {page: document.documentElement.scrollWidth, width, boxes};
}"""


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_every_list_fits_1366_px(admin_page, imported_store, language):
    page = admin_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base_url}/admin/")
    with page.expect_navigation():
        page.locator("#ls-language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    too_wide = {}
    for path in PAGES:
        page.goto(f"{page.base_url}{path}")
        measured = page.evaluate(OVERFLOW)
        if measured["page"] > measured["width"] or measured["boxes"]:
            too_wide[path] = measured
    assert too_wide == {}
