/* Orders: the store's Letzshop orders, with filters and search. */
(function () {
  "use strict";
  const { api, h, tn, fmt, time, label, statusBadge, badge, listPage, orderUrl } = window.Portal;

  // One tab per Letzshop state with its count, "To confirm" first: the page opens on it.
  const TABS = ["unconfirmed", "confirmed", "shipped", "delivered", "returned", ""];

  async function tabs() {
    const response = await api("GET", "letzshop/orders/counts");
    if (!response.ok) return;
    const { all, states } = response.data;
    const current = new URLSearchParams(window.location.search).get("state") ?? "unconfirmed";
    document.getElementById("state-tabs").replaceChildren(...TABS.map((state) => {
      const name = state === "unconfirmed" ? gettext("To confirm") : state ? label("letzshop_state", state) : gettext("All");
      const count = state ? states[state] || 0 : all;
      return h("li", null, h("a", {
        href: "?state=" + state, "aria-current": state === current ? "page" : null, dataset: { state },
      }, name, " ", h("span", { class: "tab-count" }, fmt.number(count))));
    }));
  }

  // Dates are days in the form; the API takes times (the day's start and end, local time).
  function params(values) {
    const out = Object.assign({}, values);
    if (out.date_from) out.date_from = out.date_from + "T00:00:00";
    if (out.date_to) out.date_to = out.date_to + "T23:59:59";
    return out;
  }

  listPage({
    path: { url: "letzshop/orders", params },
    columns: [
      (o) => [h("a", { href: orderUrl(o.id) }, o.letzshop_order_number || o.letzshop_shipment_id), h("span", { class: "small" }, o.shipment_number)],
      (o) => time(o.ordered_at || o.created_at),
      (o) => [o.customer_name, h("span", { class: "small" }, o.customer_email)],
      (o) => h("td", { class: "num" }, fmt.money(o.total_amount, o.currency)),
      (o) => statusBadge("letzshop_state", o.letzshop_state),
      (o) => statusBadge("sync_status", o.sync_status),
      (o) => o.blocking_exceptions
        ? badge(tn(ngettext("%(count)s blocking", "%(count)s blocking", o.blocking_exceptions), o.blocking_exceptions), "bad")
        : o.has_exceptions ? badge(gettext("Resolved"), "ok") : "—",
    ],
    summary: (count) => tn(ngettext("%(count)s order", "%(count)s orders", count), count),
    empty: gettext("No orders match. Import orders from the Overview page, or clear the filters."),
    defaults: { state: "unconfirmed" },
  }).load();
  tabs();
})();
