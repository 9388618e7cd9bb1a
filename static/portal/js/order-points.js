/* The loyalty points an order earned (and took back), read each time the order is loaded. */
(function () {
  "use strict";
  const { api, h, t, fmt, time, errorText, config } = window.Portal;
  const region = document.getElementById("order-points");
  const REASONS = {
    earned: gettext("Earned (units confirmed)"),
    returned: gettext("Taken back (units returned)"),
    adjustment: gettext("Adjusted by hand"),
  };

  async function load(order) {
    if (!order.local_order_id) {
      region.replaceChildren(h("p", { class: "muted" }, gettext("No points: this order has no local order yet.")));
      return;
    }
    const response = await api("GET", "loyalty/transactions", { params: { order_id: order.local_order_id } });
    if (!response.ok) {
      region.replaceChildren(h("p", { class: "error" }, errorText(response.data)));
      return;
    }
    const rows = response.data.results;
    if (!rows.length) {
      region.replaceChildren(h("p", { class: "muted", id: "order-points-none" },
        gettext("This order has earned no points (yet): points are earned when Letzshop confirms its units, if the loyalty program is active.")));
      return;
    }
    const total = rows.reduce((sum, row) => sum + row.points, 0);
    region.replaceChildren(
      h("p", { id: "order-points-total" }, t(gettext("%(points)s points for %(email)s"), { points: fmt.number(total), email: rows[0].email })),
      h("ul", null, rows.map((row) => h("li", null, time(row.created_at), " · ", REASONS[row.reason] || row.reason, ": ",
        h("strong", null, (row.points > 0 ? "+" : "") + fmt.number(row.points)), row.note ? " — " + row.note : ""))),
      h("p", null, h("a", { href: `${config.urls.loyalty}?email=${encodeURIComponent(rows[0].email)}` }, gettext("See the member's history"))),
    );
  }

  document.addEventListener("portal:order-loaded", (event) => load(event.detail));
})();
