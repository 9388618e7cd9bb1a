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
    "/admin/notifications/notification/",
    "/admin/billing/subscription/",
    "/admin/loyalty/loyaltyprogram/",
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


# Buttons that overlap each other, or cover a paragraph of text (an intro, a help text).
OVERLAPS = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const name = (el) => `${el.tagName.toLowerCase()}.${el.className || ''}: ${el.textContent.trim().slice(0, 30)}`;
  const buttons = [...document.querySelectorAll(
    '#content a.button, #content button, #content input[type=submit], #content .object-tools a'
  )].filter(visible);
  const texts = [...document.querySelectorAll('#content p, #content .help, #content .ls-intro')].filter(visible);
  const meet = (a, b) => {
    const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
    const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
    return x > 1 && y > 1;
  };
  const found = [];
  buttons.forEach((a, i) => {
    buttons.slice(i + 1).forEach((b) => {
      if (!a.contains(b) && !b.contains(a) && meet(a, b)) found.push(`${name(a)} / ${name(b)}`);
    });
    texts.forEach((t) => {
      if (!t.contains(a) && !a.contains(t) && meet(a, t)) found.push(`${name(a)} covers ${name(t)}`);
    });
  });
  return found;
}"""


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("width", [1366, 1024])
def test_no_button_overlaps_another_or_covers_text(admin_page, imported_store, language, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 768})
    page.goto(f"{page.base_url}/admin/")
    with page.expect_navigation():
        page.locator("#ls-language-select").select_option(language)
    overlapping = {}
    for path in PAGES:
        page.goto(f"{page.base_url}{path}")
        found = page.evaluate(OVERLAPS)
        if found:
            overlapping[path] = found
    assert overlapping == {}
