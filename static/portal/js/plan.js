/* The merchant's plan, its usage as bars, and its invoices (read-only). */
(function () {
  "use strict";
  const { api, h, t, fmt, summary, errorText, config } = window.Portal;
  const STATUSES = {
    trialing: gettext("Trialing"), active: gettext("Active"), past_due: gettext("Past due"), canceled: gettext("Canceled"),
  };

  // A period's end is the first day after it: people read the last day of the period.
  function day(iso, shift) {
    const date = new Date(iso + "T00:00:00");
    if (shift) date.setDate(date.getDate() + shift);
    return new Intl.DateTimeFormat(document.documentElement.lang || "en", { dateStyle: "medium" }).format(date);
  }

  function bar(id, title, used, limit, text) {
    const over = used > limit;
    return h("div", { class: "usage" + (over ? " over" : ""), id },
      h("p", { id: id + "-label" }, h("strong", null, title), " ", text),
      h("progress", { max: String(Math.max(limit, 1)), value: String(Math.min(used, Math.max(limit, 1))), "aria-labelledby": id + "-label" }));
  }

  async function loadPlan() {
    const response = await api("GET", "subscription");
    const box = document.getElementById("plan");
    box.removeAttribute("aria-busy");
    if (!response.ok) {
      const error = document.getElementById("plan-error");
      error.textContent = errorText(response.data);
      error.hidden = false;
      return;
    }
    const s = response.data;
    const p = s.plan;
    document.getElementById("plan-name").textContent = p.name;
    document.getElementById("plan-summary").replaceWith(summary([
      [gettext("Status"), STATUSES[s.status] || s.status],
      [gettext("Current period"), t(gettext("%(start)s to %(end)s"), { start: day(s.current_period_start), end: day(s.current_period_end, -1) })],
      [gettext("Monthly price"), fmt.money(p.price_monthly)],
      [gettext("Price per order over the limit"), fmt.money(p.overage_price_per_order)],
      [gettext("Shortest auto-sync interval"), t(gettext("%(minutes)s minutes"), { minutes: fmt.number(p.min_sync_interval_minutes) })],
    ]));
    const u = s.usage;
    const parts = [
      bar("usage-orders", gettext("Orders imported:"), u.orders_imported, p.monthly_order_limit,
        t(gettext("%(used)s of %(limit)s"), { used: fmt.number(u.orders_imported), limit: fmt.number(p.monthly_order_limit) })),
      bar("usage-stores", gettext("Stores:"), u.stores, p.max_stores,
        t(gettext("%(used)s of %(limit)s"), { used: fmt.number(u.stores), limit: fmt.number(p.max_stores) })),
    ];
    if (u.overage_orders) {
      parts.push(h("p", { class: "notice warning", id: "usage-overage" },
        t(gettext("%(count)s orders over the limit this period: billed as overage on the next invoice."), { count: fmt.number(u.overage_orders) })));
    }
    document.getElementById("usage").replaceChildren(...parts);
  }

  async function loadInvoices() {
    const table = document.getElementById("invoices-table");
    if (!table) return;
    const tbody = table.querySelector("tbody");
    const response = await api("GET", "invoices", { params: { page_size: 24 } });
    if (!response.ok) {
      tbody.replaceChildren(h("tr", null, h("td", { colspan: 7, class: "empty" }, errorText(response.data))));
      return;
    }
    const rows = response.data.results.map((i) => h("tr", null,
      h("td", null, i.number),
      h("td", null, t(gettext("%(start)s to %(end)s"), { start: day(i.period_start), end: day(i.period_end, -1) })),
      h("td", null, i.plan_name),
      h("td", null, fmt.number(i.overage_orders)),
      h("td", null, fmt.money(i.subtotal, i.currency)),
      h("td", null, fmt.money(i.vat_amount, i.currency)),
      h("td", null, fmt.money(i.total, i.currency))));
    tbody.replaceChildren(...(rows.length ? rows : [h("tr", null, h("td", { colspan: 7, class: "empty" }, gettext("No invoice yet: the first comes when this period closes.")))]));
  }

  loadPlan();
  loadInvoices();
})();
