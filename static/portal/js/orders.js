/* Orders: the store's Letzshop orders, with filters and search. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, time, label, statusBadge, badge, listPage, orderUrl, busy, show, errorText } = window.Portal;

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

  // Several orders confirmed at once: those without exceptions and with units to confirm can be
  // selected; each gets its own line of the report, as in the admin.
  const confirmButton = document.getElementById("confirm-selected");
  const bulkResult = document.getElementById("bulk-result");

  function selectable(o) {
    return !o.blocking_exceptions && (o.inventory_units || []).some((u) => u.state === "unconfirmed");
  }

  function selected() {
    return Array.from(document.querySelectorAll('#list-table input[name="order"]:checked'));
  }

  document.getElementById("list-table").addEventListener("change", () => { confirmButton.disabled = !selected().length; });

  confirmButton.addEventListener("click", async () => {
    const boxes = selected();
    if (!boxes.length) return;
    busy(confirmButton, true);
    const lines = [];
    for (const box of boxes) {
      const number = box.dataset.number;
      const response = await api("POST", `letzshop/orders/${box.value}/confirm`, { body: {} });
      let text;
      if (response.status === 202) {
        text = response.data.duplicate
          ? t(gettext("%(order)s: a confirmation was already queued."), { order: number })
          : t(gettext("%(order)s: confirmation queued for Letzshop."), { order: number });
      } else {
        text = t(gettext("%(order)s: not confirmed: %(reason)s"), { order: number, reason: errorText(response.data) });
      }
      lines.push(h("li", { class: response.status === 202 ? "ok" : "bad" }, text));
    }
    busy(confirmButton, false);
    const failed = lines.filter((line) => line.className === "bad").length;
    show(bulkResult, failed ? "warning" : "success", h("ul", { class: "report" }, lines));
    list.reload().then(() => { confirmButton.disabled = true; tabs(); });
  });

  const list = listPage({
    path: { url: "letzshop/orders", params },
    columns: [
      (o) => h("input", {
        type: "checkbox", name: "order", value: o.id, dataset: { number: o.letzshop_order_number },
        disabled: !selectable(o), "aria-label": t(gettext("Select order %(order)s"), { order: o.letzshop_order_number }),
      }),
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
  });
  list.load().then(() => { confirmButton.disabled = true; });
  tabs();
})();
