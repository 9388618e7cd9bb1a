/* The loyalty program's settings, the members by e-mail with their history, adjustments by hand. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, time, show, busy, clearErrors, showErrors, errorText, listPage, orderUrl, config } = window.Portal;
  const REASONS = {
    earned: gettext("Earned (units confirmed)"),
    returned: gettext("Taken back (units returned)"),
    adjustment: gettext("Adjusted by hand"),
  };

  // --- the program ---------------------------------------------------------------------------

  const programForm = document.getElementById("program-form");
  const programResult = document.getElementById("program-result");

  async function loadProgram() {
    const response = await api("GET", "loyalty/program");
    if (!response.ok) { show(programResult, "error", errorText(response.data)); return; }
    programForm.elements.active.checked = response.data.active;
    programForm.elements.points_per_eur.value = response.data.points_per_eur;
    if (!config.canManage) for (const el of programForm.elements) el.disabled = true;
  }

  programForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(programForm);
    const button = document.getElementById("save-program");
    busy(button, true);
    const response = await api("PUT", "loyalty/program", { body: {
      active: programForm.elements.active.checked,
      points_per_eur: programForm.elements.points_per_eur.value.trim(),
    } });
    busy(button, false);
    if (!response.ok) { showErrors(programForm, response.data); show(programResult, "error", errorText(response.data)); return; }
    show(programResult, "success", response.data.active
      ? t(gettext("Saved: customers earn %(rate)s points per euro."), { rate: fmt.number(response.data.points_per_eur) })
      : gettext("Saved: the program is off; no points are earned."));
  });

  // --- members -------------------------------------------------------------------------------

  function history(member) {
    if (!member.transactions.length) return h("span", { class: "muted" }, gettext("No change yet."));
    return h("ul", { class: "history" }, member.transactions.map((tx) => h("li", null,
      time(tx.created_at), " · ", REASONS[tx.reason] || tx.reason, ": ",
      h("strong", null, (tx.points > 0 ? "+" : "") + fmt.number(tx.points)),
      tx.order_number ? [" · ", gettext("order"), " ", tx.order_number] : null,
      tx.note ? " — " + tx.note : "")));
  }

  const members = listPage({
    path: "loyalty/members",
    columns: [(m) => m.email, (m) => h("span", { class: m.points_balance < 0 ? "error" : null }, fmt.number(m.points_balance)), history],
    summary: (count) => tn(ngettext("%(count)s member", "%(count)s members", count), count),
    empty: gettext("No member with this e-mail: members appear when they earn points or are adjusted by hand."),
    pageSize: 20,
  });
  members.load();

  // --- adjustments ---------------------------------------------------------------------------

  const adjustForm = document.getElementById("adjust-form");
  if (adjustForm) {
    adjustForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(adjustForm);
      const result = document.getElementById("adjust-result");
      const points = adjustForm.elements.points.value.trim();
      if (!/^-?\d+$/.test(points)) {
        showErrors(adjustForm, { points: [gettext("Points are a whole number other than 0.")] });
        return;
      }
      const button = document.getElementById("adjust-submit");
      busy(button, true);
      const response = await api("POST", "loyalty/members/adjust", { body: {
        email: adjustForm.elements.email.value.trim(), points: Number(points), reason: adjustForm.elements.reason.value,
      } });
      busy(button, false);
      if (!response.ok) { showErrors(adjustForm, response.data); show(result, "error", errorText(response.data)); return; }
      show(result, "success", t(gettext("Done: %(email)s now has %(balance)s points."), {
        email: response.data.email, balance: fmt.number(response.data.balance_after) }));
      adjustForm.reset();
      members.reload();
    });
  }

  loadProgram();
})();
