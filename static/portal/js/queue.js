/* Queue: confirmations, declines and tracking on their way to Letzshop; Retry for failed ones. */
(function () {
  "use strict";
  const { api, h, t, fmt, time, label, statusBadge, show, busy, errorText, orderUrl, problem } = window.Portal;
  const result = document.getElementById("action-result");

  async function retry(item, button) {
    busy(button, true);
    const response = await api("POST", `letzshop/queue/${item.id}/retry`);
    busy(button, false);
    if (!response.ok) return show(result, "error", errorText(response.data));
    show(result, "success", t(gettext("%(operation)s of order %(order)s sent again."), {
      operation: label("operation", item.operation), order: item.letzshop_order_number,
    }));
    list.reload();
  }

  const list = window.Portal.listPage({
    path: "letzshop/queue",
    columns: [
      (q) => time(q.created_at),
      (q) => h("a", { href: orderUrl(q.letzshop_order_id) }, q.letzshop_order_number || `#${q.letzshop_order_id}`),
      (q) => label("operation", q.operation),
      (q) => statusBadge("queue_status", q.status),
      (q) => h("td", { class: "num" }, t(gettext("%(attempts)s of %(max)s"), { attempts: fmt.number(q.attempts), max: fmt.number(q.max_attempts) })),
      (q) => (q.status === "completed" ? time(q.completed_at) : q.status === "failed" ? "—" : time(q.next_attempt_at)),
      (q) => problem(q.error_summary, q.error_message),
      (q) => q.status === "failed"
        ? h("button", { type: "button", class: "button small primary", onclick: (event) => retry(q, event.currentTarget) },
            gettext("Retry"), h("span", { class: "visually-hidden" }, " " + q.letzshop_order_number))
        : "—",
    ],
    summary: (count) => window.Portal.tn(ngettext("%(count)s operation", "%(count)s operations", count), count),
    empty: gettext("Nothing in the queue matches."),
  });
  list.load();
})();
