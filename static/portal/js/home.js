/* Overview: the Letzshop connection, what is waiting, and Import now with its progress. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, time, badge, statusBadge, summary, show, busy, errorText, config } = window.Portal;

  const connection = document.getElementById("connection");
  const form = document.getElementById("import-form");
  const button = document.getElementById("import-now");
  const progress = document.getElementById("import-progress");
  const progressText = document.getElementById("import-progress-text");
  const result = document.getElementById("import-result");
  let watching = null;

  async function loadStatus() {
    const response = await api("GET", "letzshop/status");
    connection.removeAttribute("aria-busy");
    document.getElementById("todo").removeAttribute("aria-busy");
    if (!response.ok) {
      connection.replaceChildren(h("p", { class: "error" }, errorText(response.data)));
      return;
    }
    const s = response.data;
    const items = s.is_configured
      ? [
          [gettext("Status"), badge(gettext("Connected"), "ok")],
          [gettext("Saved key"), s.api_key_masked],
          [gettext("Auto-Sync"), s.auto_sync_enabled
            ? tn(ngettext("On, every %(count)s minute", "On, every %(count)s minutes", s.sync_interval_minutes), s.sync_interval_minutes)
            : gettext("Off")],
          [gettext("Last import"), s.last_sync_at ? time(s.last_sync_at) : gettext("Never"), " ", s.last_sync_status ? statusBadge("log_status", s.last_sync_status) : null],
          s.last_sync_error ? [gettext("Last error"), window.Portal.problem(s.last_sync_error_summary, s.last_sync_error)] : null,
        ]
      : [[gettext("Status"), badge(gettext("Not connected"), "bad"), " ", gettext("Enter your Letzshop API key in the settings.")]];
    connection.replaceChildren(summary(items));
    const counts = { "todo-orders": s.pending_orders, "todo-exceptions": s.pending_exceptions, "todo-queue": s.failed_queue_items };
    for (const [id, count] of Object.entries(counts)) document.querySelector(`#${id} [data-count]`).textContent = fmt.number(count);
    button.disabled = !s.is_configured;
    if (!s.is_configured) show(result, "warning", gettext("Connect Letzshop first: Settings › Letzshop Integration."));
  }

  function progressMessage(p) {
    const text = t(gettext("Importing… %(pages)s pages read, %(shipments)s shipments: %(imported)s new, %(updated)s updated."), {
      pages: fmt.number(p.pages || 0),
      shipments: fmt.number(p.shipments || 0),
      imported: fmt.number(p.imported || 0),
      updated: fmt.number(p.updated || 0),
    });
    if (p.seconds_left === null || p.seconds_left === undefined) return text;
    const left = p.seconds_left < 60
      ? tn(ngettext("About %(count)s second left.", "About %(count)s seconds left.", p.seconds_left), p.seconds_left)
      : tn(ngettext("About %(count)s minute left.", "About %(count)s minutes left.", Math.round(p.seconds_left / 60)), Math.round(p.seconds_left / 60));
    return `${text} ${left}`;
  }

  // The import runs in a worker; its sync log row tells how far it got, then how it ended.
  // Polled until it ends, whether this page started it or found it running.
  function watchRun(id) {
    stopWatching();
    progress.hidden = false;
    busy(button, true);
    progressText.textContent = gettext("Import started…");
    let last = "";
    const poll = async () => {
      const response = await api("GET", `letzshop/logs/${id}`);
      if (!response.ok) { watching = setTimeout(poll, 2000); return; }
      const log = response.data;
      if (log.status === "running") {
        const text = progressMessage((log.details || {}).progress || {});
        if (text !== last) progressText.textContent = last = text;
        watching = setTimeout(poll, 800);
        return;
      }
      stopWatching();
      busy(button, false);
      showResult(resultOfLog(log));
      loadStatus();
    };
    watching = setTimeout(poll, 300);
  }

  function stopWatching() {
    if (watching) clearTimeout(watching);
    watching = null;
    progress.hidden = true;
  }

  // The import's answer, from its finished sync log row.
  function resultOfLog(log) {
    const d = log.details || {};
    return {
      status: log.status,
      message: d.message || "",
      orders_imported: d.imported || 0,
      orders_updated: d.updated || 0,
      exceptions_created: d.exceptions_created || 0,
      errors: log.error_details || [],
    };
  }

  // The import's result message, in the page's language.
  function resultMessage(r) {
    if (r.status === "failed" || r.status === "interrupted") {
      const error = (r.errors.find((e) => e.error) || {}).error || r.message;
      return ["error", t(gettext("Import failed: %(error)s"), { error })];
    }
    const parts = [t(gettext("Import completed: %(imported)s imported, %(updated)s updated"), {
      imported: fmt.number(r.orders_imported), updated: fmt.number(r.orders_updated),
    })];
    if (r.exceptions_created) {
      parts.push(tn(ngettext("%(count)s item matched no product: see Exceptions.", "%(count)s items matched no product: see Exceptions.", r.exceptions_created), r.exceptions_created));
    }
    if (r.status === "partial") {
      const failed = r.errors.filter((e) => e.shipment_id).length;
      parts.push(tn(ngettext("%(count)s shipment could not be imported; see the sync logs.", "%(count)s shipments could not be imported; see the sync logs.", failed), failed));
      return ["warning", ...parts];
    }
    return ["success", ...parts];
  }

  function showResult(r) {
    const [kind, ...parts] = resultMessage(r);
    const links = h("p", null,
      h("a", { href: config.urls.orders }, gettext("See the orders")),
      r.exceptions_created ? [" · ", h("a", { href: config.urls.exceptions + "?status=pending" }, gettext("See the exceptions"))] : null);
    show(result, kind, ...parts, links);
  }

  async function latestImport() {
    const response = await api("GET", "letzshop/logs", { params: { operation_type: "order_import", page_size: 1 } });
    const latest = response.ok && response.data.results[0];
    return latest ? latest : null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(button, true);
    show(result, "info", gettext("Importing orders from Letzshop…"));
    // wait_seconds 0: the call answers at once (202) and this page follows the run.
    const response = await api("POST", "letzshop/orders/import", {
      body: { operation: "order_import", include_confirmed: form.elements.include_confirmed.checked, wait_seconds: 0 },
    });
    if (response.status === 409 && response.data && response.data.status === "already_running") {
      show(result, "warning", gettext("An import of this store is already running. Its progress is shown below."));
      if (response.data.sync_log_id) watchRun(response.data.sync_log_id); else busy(button, false);
      return;
    }
    if (!response.ok) {
      busy(button, false);
      show(result, "error", errorText(response.data));
      return;
    }
    if (response.status === 202) {
      show(result, "info", gettext("The import runs in the background: you may leave this page and come back."));
      watchRun(response.data.sync_log_id);
      return;
    }
    busy(button, false);
    showResult(response.data);
    loadStatus();
  });

  loadStatus().then(async () => {
    // An import started elsewhere (auto-sync, another tab) shows its progress here too.
    const latest = await latestImport();
    if (latest && latest.status === "running") {
      show(result, "info", gettext("An import is running."));
      watchRun(latest.id);
    }
  });
})();
