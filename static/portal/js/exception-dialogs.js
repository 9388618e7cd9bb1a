/* Resolve (pick a product of the catalog) and Ignore (with a reason): the dialogs shared by the
 * order page and the Exceptions page. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, busy, clearErrors, showErrors } = window.Portal;

  const resolveDialog = document.getElementById("resolve-dialog");
  const resolveForm = document.getElementById("resolve-form");
  const searchInput = document.getElementById("product-search");
  const searchButton = document.getElementById("product-search-button");
  const results = resolveForm.querySelector(".choice-list");
  const resultsStatus = document.getElementById("product-results-status");
  const applyAll = document.getElementById("apply_to_all_with_gtin");
  const ignoreDialog = document.getElementById("ignore-dialog");
  const ignoreForm = document.getElementById("ignore-form");
  let current = null; // {exception, onDone, trigger}

  function about(exception) {
    return exception.original_gtin
      ? t(gettext("Item “%(name)s”, GTIN %(gtin)s."), { name: exception.product_name || "—", gtin: exception.original_gtin })
      : t(gettext("Item “%(name)s”, without a GTIN."), { name: exception.product_name || "—" });
  }

  function close(dialog) {
    dialog.close();
    if (current && current.trigger && document.contains(current.trigger)) current.trigger.focus();
  }

  for (const dialog of [resolveDialog, ignoreDialog]) {
    dialog.querySelector("[data-close]").addEventListener("click", () => close(dialog));
  }

  let typing = null;
  let searched = null; // the text whose results are shown: the same search again keeps the choice

  async function search() {
    clearTimeout(typing);
    const text = searchInput.value.trim();
    if (text === searched) return;
    searched = text;
    busy(searchButton, true);
    resultsStatus.textContent = gettext("Searching…");
    const response = await api("GET", "products", { params: { search: text, page_size: 20 } });
    busy(searchButton, false);
    if (searched !== text) return; // a newer search has started meanwhile
    if (!response.ok) {
      searched = null;
      results.replaceChildren();
      resultsStatus.textContent = window.Portal.errorText(response.data);
      return;
    }
    const products = response.data.results;
    results.replaceChildren(...products.map((p) => h("li", null, h("label", null,
      h("input", { type: "radio", name: "product_id", value: p.id }),
      h("span", null, p.name, h("span", { class: "small muted" }, " ",
        [p.sku && t(gettext("SKU %(sku)s"), { sku: p.sku }), p.gtin && t(gettext("GTIN %(gtin)s"), { gtin: p.gtin }), p.price && fmt.money(p.price)].filter(Boolean).join(" · "))),
    ))));
    resultsStatus.textContent = products.length
      ? tn(ngettext("%(count)s product found.", "%(count)s products found.", response.data.count), response.data.count)
      : gettext("No product found. Try another name, SKU or GTIN.");
  }

  searchButton.addEventListener("click", search);
  searchInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  // Results follow what is typed (after a short pause), as in the admin.
  searchInput.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(search, 300);
  });

  resolveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(resolveForm);
    const chosen = resolveForm.querySelector('input[name="product_id"]:checked');
    if (!chosen) {
      return showErrors(resolveForm, { product_id: gettext("Choose the product this item is: search, then pick one.") });
    }
    const submit = resolveForm.querySelector('[type="submit"]');
    busy(submit, true);
    const response = await api("POST", `order-exceptions/${current.exception.id}/resolve`, {
      body: {
        product_id: Number(chosen.value),
        notes: resolveForm.elements.notes.value.trim(),
        apply_to_all_with_gtin: applyAll.checked,
      },
    });
    busy(submit, false);
    if (!response.ok) return showErrors(resolveForm, response.data);
    const data = response.data || {};
    const count = typeof data.exceptions_resolved === "number" ? data.exceptions_resolved : 1;
    const message = count > 1
      ? tn(ngettext("%(count)s exception resolved.", "%(count)s exceptions resolved.", count), count)
      : gettext("Exception resolved.");
    close(resolveDialog);
    current.onDone(message);
  });

  ignoreForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(ignoreForm);
    const reason = ignoreForm.elements.reason.value.trim();
    if (!reason) return showErrors(ignoreForm, { reason: gettext("Say why this exception is ignored.") });
    const submit = ignoreForm.querySelector('[type="submit"]');
    busy(submit, true);
    const response = await api("POST", `order-exceptions/${current.exception.id}/ignore`, {
      body: { reason, notes: ignoreForm.elements.notes.value.trim() },
    });
    busy(submit, false);
    if (!response.ok) return showErrors(ignoreForm, response.data);
    close(ignoreDialog);
    current.onDone(gettext("Exception ignored. It still blocks the order's confirmation."));
  });

  window.ExceptionDialogs = {
    // exception: {id, original_gtin, product_name, exception_type}; onDone(message) after success.
    resolve(exception, { onDone, trigger }) {
      current = { exception, onDone, trigger };
      resolveForm.reset();
      clearErrors(resolveForm);
      results.replaceChildren();
      resultsStatus.textContent = "";
      document.getElementById("resolve-about").textContent = about(exception);
      const applyRow = applyAll.closest(".checkbox");
      // Several products with this GTIN: one product for every order would be wrong for some.
      const several = exception.exception_type === "duplicate_gtin";
      applyRow.hidden = !exception.original_gtin || several;
      document.getElementById("apply-all-duplicate").hidden = !several;
      const applyLabel = document.getElementById("apply-all-label");
      applyLabel.textContent = t(gettext("Apply to all pending exceptions with GTIN %(gtin)s"), { gtin: exception.original_gtin || "" });
      if (exception.original_gtin && !several) {
        // How many it would touch, as the admin says.
        api("GET", "order-exceptions", { params: { status: "pending", gtin: exception.original_gtin, page_size: 1 } }).then((response) => {
          if (!response.ok || current.exception !== exception) return;
          const count = response.data.count;
          applyLabel.textContent = tn(ngettext(
            "Apply to all pending exceptions with GTIN %(gtin)s (%(count)s in all)",
            "Apply to all pending exceptions with GTIN %(gtin)s (%(count)s in all)", count), count, { gtin: exception.original_gtin });
        });
      }
      // Empty: the item's name as received may be in another language than the catalog's.
      searchInput.value = "";
      searched = null;
      resolveDialog.showModal();
      searchInput.focus();
      search();
    },
    ignore(exception, { onDone, trigger }) {
      current = { exception, onDone, trigger };
      ignoreForm.reset();
      clearErrors(ignoreForm);
      document.getElementById("ignore-about").textContent = about(exception);
      ignoreDialog.showModal();
      ignoreForm.elements.reason.focus();
    },
  };
})();
