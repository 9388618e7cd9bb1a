// As-you-type product search of the Resolve page: no build step, no library.
// The search form works without this script (a GET that renders the results on the server);
// this only fetches them while typing (debounced) and keeps them keyboard-usable: the results
// are radio buttons (arrow keys move between them), ArrowDown in the search box goes to them,
// and Enter on a chosen product confirms.
"use strict";
(function () {
  const form = document.querySelector("form[data-product-search]");
  if (!form) {
    return;
  }
  const input = form.querySelector("input[name=q]");
  const results = document.querySelector(form.dataset.results);
  const status = document.querySelector(form.dataset.status);
  const url = form.dataset.productSearch;
  const DELAY_MS = 250;
  let timer = null;
  let controller = null;
  let shown = input.value.trim();

  // gettext, ngettext and interpolate come from Django's JavaScript catalog (admin:jsi18n),
  // loaded before this script; makemessages -d djangojs extracts the strings from these calls.
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function empty(message) {
    results.replaceChildren(element("p", "ls-muted ls-empty", message));
  }

  function render(products, query) {
    if (!query) {
      empty(gettext("Type a name, SKU or GTIN above."));
      status.textContent = "";
      return;
    }
    if (!products.length) {
      empty(gettext("No product matches."));
    } else {
      results.replaceChildren(
        ...products.map((product) => {
          const label = element("label", "ls-product");
          const radio = element("input");
          radio.type = "radio";
          radio.name = "product_id";
          radio.value = String(product.id);
          radio.checked = products.length === 1;
          const details = [
            gettext("SKU") + " " + (product.sku || "-"),
            gettext("GTIN") + " " + (product.gtin || "-"),
            product.price,
          ].join(" · ");
          label.append(radio, element("span", "ls-product-name", product.name), element("span", "ls-muted", details));
          if (!product.is_active) {
            label.append(element("span", "ls-badge ls-badge--neutral", gettext("inactive")));
          }
          return label;
        })
      );
    }
    status.textContent = interpolate(ngettext("%s product found", "%s products found", products.length), [
      products.length,
    ]);
  }

  async function search() {
    const query = input.value.trim();
    if (query === shown) {
      return;
    }
    shown = query;
    if (controller) {
      controller.abort();
    }
    if (!query) {
      render([], "");
      return;
    }
    controller = new AbortController();
    status.textContent = gettext("Searching…");
    try {
      const response = await fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const data = await response.json();
      if (query === input.value.trim()) {
        render(data.results, query);
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        status.textContent = gettext("The search failed; press Enter to try again.");
        shown = null;
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    shown = null;
    search();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown") {
      return;
    }
    const target = results.querySelector("input[type=radio]:checked") || results.querySelector("input[type=radio]");
    if (target) {
      event.preventDefault();
      target.focus();
      target.checked = true;
    }
  });
})();
