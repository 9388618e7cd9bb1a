/* Sync logs: every import and every call to Letzshop. */
(function () {
  "use strict";
  const { h, t, tn, fmt, time, label, statusBadge, problem } = window.Portal;

  function details(log) {
    const parts = [];
    const d = log.details || {};
    if (log.status === "running" && d.progress) {
      parts.push(t(gettext("%(pages)s pages, %(shipments)s shipments so far"), { pages: fmt.number(d.progress.pages || 0), shipments: fmt.number(d.progress.shipments || 0) }));
    } else if (log.operation_type === "order_import" && d.pages !== undefined) {
      parts.push(t(gettext("%(pages)s pages: %(imported)s new, %(updated)s updated, %(unchanged)s unchanged"), {
        pages: fmt.number(d.pages), imported: fmt.number(d.imported || 0), updated: fmt.number(d.updated || 0), unchanged: fmt.number(d.unchanged || 0),
      }));
    }
    if (d.order) parts.push(t(gettext("Order %(order)s"), { order: d.order }));
    if (d.response_time_ms !== undefined) parts.push(fmt.duration(d.response_time_ms));
    const errors = log.error_details;
    const error = Array.isArray(errors)
      ? errors.map((e) => e.error || e.message || JSON.stringify(e)).join("; ")
      : errors && (errors.message || errors.error);
    return [parts.length ? parts.join(" · ") : null, error ? h("div", { class: "small" }, problem(log.error_summary, error)) : null].filter(Boolean);
  }

  // The API names who started a row (a person's name, "Auto-Sync"...); the reader is "You".
  function trigger(log) {
    if (/^\d+$/.test(log.triggered_by || "") && Number(log.triggered_by) === window.Portal.config.userId) return gettext("You");
    return log.triggered_by_name || "—";
  }

  window.Portal.listPage({
    path: "letzshop/logs",
    columns: [
      (log) => time(log.started_at),
      (log) => label("operation", log.operation_type),
      (log) => label("direction", log.direction),
      (log) => statusBadge("log_status", log.status),
      (log) => h("td", { class: "num" }, t(gettext("%(processed)s processed, %(succeeded)s succeeded, %(failed)s failed"), {
        processed: fmt.number(log.records_processed), succeeded: fmt.number(log.records_succeeded), failed: fmt.number(log.records_failed),
      })),
      (log) => h("td", { class: "num" }, log.duration_ms !== null && log.duration_ms !== undefined ? fmt.duration(log.duration_ms) : "—"),
      (log) => trigger(log),
      (log) => { const d = details(log); return d.length ? d : "—"; },
    ],
    summary: (count) => tn(ngettext("%(count)s entry", "%(count)s entries", count), count),
    empty: gettext("No log entries match."),
  }).load();
})();
