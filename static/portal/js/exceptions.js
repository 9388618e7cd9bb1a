/* Exceptions: the store's product exceptions, with Resolve (product search) and Ignore. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, time, label, statusBadge, show, config } = window.Portal;
  const result = document.getElementById("action-result");

  async function loadStats() {
    const stats = document.getElementById("exception-stats");
    const response = await api("GET", "order-exceptions/stats");
    stats.removeAttribute("aria-busy");
    if (!response.ok) return;
    for (const el of stats.querySelectorAll("[data-stat]")) el.textContent = fmt.number(response.data[el.dataset.stat] || 0);
  }

  function exceptionOf(ex) {
    return { id: ex.id, original_gtin: ex.original_gtin, product_name: ex.original_product_name, exception_type: ex.exception_type };
  }

  function done(message) {
    show(result, "success", message);
    list.reload();
    loadStats();
  }

  // Exceptions name the local order; the portal finds its Letzshop order's page.
  function orderLink(ex) {
    if (!ex.order_id) return "—";
    return h("a", { href: config.urls.localOrder.replace("{id}", ex.order_id) }, ex.order_number || `#${ex.order_id}`);
  }

  function actions(ex) {
    if (ex.status === "resolved") {
      const product = (ex.resolved_product && ex.resolved_product.name) || "";
      return product ? h("span", { class: "small" }, t(gettext("Matched to %(product)s"), { product })) : "—";
    }
    const named = h("span", { class: "visually-hidden" }, " " + (ex.original_product_name || ex.original_gtin));
    return h("div", { class: "row-actions" },
      h("button", {
        type: "button", class: "button small primary",
        onclick: (event) => window.ExceptionDialogs.resolve(exceptionOf(ex), { onDone: done, trigger: event.currentTarget }),
      }, gettext("Resolve"), named.cloneNode(true)),
      ex.status === "pending" ? h("button", {
        type: "button", class: "button small",
        onclick: (event) => window.ExceptionDialogs.ignore(exceptionOf(ex), { onDone: done, trigger: event.currentTarget }),
      }, gettext("Ignore"), named) : h("span", { class: "small" }, ex.ignore_reason || ""));
  }

  const list = listPageFor();
  function listPageFor() {
    return window.Portal.listPage({
      path: "order-exceptions",
      defaults: { status: "pending" },
      columns: [
        (ex) => [ex.original_product_name || "—", ex.original_sku ? h("span", { class: "small" }, t(gettext("SKU %(sku)s"), { sku: ex.original_sku })) : null],
        (ex) => ex.original_gtin || "—",
        (ex) => [label("exception_type", ex.exception_type), ex.detail ? h("span", { class: "small" }, ex.detail) : null],
        (ex) => statusBadge("exception_status", ex.status),
        orderLink,
        (ex) => time(ex.created_at),
        actions,
      ],
      summary: (count) => tn(ngettext("%(count)s exception", "%(count)s exceptions", count), count),
      empty: gettext("No exceptions match: every item of these orders has its product."),
    });
  }

  list.load();
  loadStats();
})();
