// The admin's import progress page: each run's line, read again every second until all ended
// (the runs go on in a worker whether or not this page is open).
"use strict";
(function () {
  const table = document.getElementById("import-runs");
  if (!table) return;
  const url = table.dataset.statusUrl;

  function render(run) {
    const row = table.querySelector(`tr[data-run="${run.id}"]`);
    if (!row) return;
    row.dataset.done = run.done ? "1" : "0";
    const badge = document.createElement("span");
    badge.className = `ls-badge ls-badge--${run.level}`;
    badge.textContent = run.status_label;
    row.querySelector(".run-status").replaceChildren(badge);
    row.querySelector(".run-text").textContent = run.text;
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        data.runs.forEach(render);
        if (data.done) return;
      }
    } catch (error) {
      // The server is briefly out of reach: the next poll tries again.
    }
    setTimeout(poll, 1000);
  }

  if (table.querySelector('tr[data-done="0"]')) setTimeout(poll, 500);
})();
