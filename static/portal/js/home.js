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
    return t(gettext("Importing… %(pages)s pages read, %(shipments)s shipments: %(imported)s new, %(updated)s updated."), {
      pages: fmt.number(p.pages || 0),
      shipments: fmt.number(p.shipments || 0),
      imported: fmt.number(p.imported || 0),
      updated: fmt.number(p.updated || 0),
    });
  }

  // The import runs within its request; meanwhile its sync log row shows how far it got.
  function watchProgress(sinceId) {
    stopWatching();
    progress.hidden = false;
    progressText.textContent = gettext("Import started…");
    let last = "";
    watching = setInterval(async () => {
      const response = await api("GET", "letzshop/logs", { params: { operation_type: "order_import", page_size: 1 } });
      const running = response.ok && response.data.results[0];
      if (!running || running.id <= sinceId) return;
      if (running.status !== "running") { if (sinceId < 0) { stopWatching(); loadStatus(); } return; }
      const text = progressMessage((running.details || {}).progress || {});
      if (text !== last) progressText.textContent = last = text;
    }, 600);
  }

  function stopWatching() {
    if (watching) clearInterval(watching);
    watching = null;
    progress.hidden = true;
  }

  // The import's result message, in the page's language.
  function resultMessage(r) {
    if (r.status === "failed") {
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
      parts.push(tn(ngettext("%(count)s shipment could not be imported; see the sync logs.", "%(count)s shipments could not be imported; see the sync logs.", r.errors.length), r.errors.length));
      return ["warning", ...parts];
    }
    return ["success", ...parts];
  }

  async function latestImportId() {
    const response = await api("GET", "letzshop/logs", { params: { operation_type: "order_import", page_size: 1 } });
    const latest = response.ok && response.data.results[0];
    return latest ? latest : null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(button, true);
    show(result, "info", gettext("Importing orders from Letzshop…"));
    const before = await latestImportId();
    watchProgress(before ? before.id : 0);
    const response = await api("POST", "letzshop/orders/import", {
      body: { operation: "order_import", include_confirmed: form.elements.include_confirmed.checked },
    });
    stopWatching();
    busy(button, false);
    if (response.status === 409 && response.data && response.data.status === "already_running") {
      show(result, "warning", gettext("An import of this store is already running. Its progress is shown below."));
      watchProgress(-1);
      return;
    }
    if (!response.ok) {
      show(result, "error", errorText(response.data));
      return;
    }
    const [kind, ...parts] = resultMessage(response.data);
    const links = h("p", null,
      h("a", { href: config.urls.orders }, gettext("See the orders")),
      response.data.exceptions_created ? [" · ", h("a", { href: config.urls.exceptions + "?status=pending" }, gettext("See the exceptions"))] : null);
    show(result, kind, ...parts, links);
    loadStatus();
  });

  loadStatus().then(async () => {
    // An import started elsewhere (auto-sync, another tab) shows its progress here too.
    const latest = await latestImportId();
    if (latest && latest.status === "running") {
      show(result, "info", gettext("An import is running."));
      watchProgress(-1);
    }
  });
})();
