/* One order: its items with their match status and exceptions; Confirm all or selected units,
 * Decline with a reason, Set tracking; each action's result followed until Letzshop answers. */
(function () {
  "use strict";
  const { api, h, t, tn, fmt, time, label, badge, statusBadge, summary, show, busy, clearErrors, showErrors, errorText, config } = window.Portal;

  const orderId = config.orderId;
  const container = document.getElementById("order");
  const loadError = document.getElementById("order-error");
  const unitsForm = document.getElementById("units-form");
  const declineForm = document.getElementById("decline-form");
  const trackingForm = document.getElementById("tracking-form");
  const declineDialog = document.getElementById("decline-dialog");
  const results = {
    confirm: document.getElementById("confirm-result"),
    reject: document.getElementById("decline-result"),
    set_tracking: document.getElementById("tracking-result"),
  };
  let order = null;
  const pageTitle = document.title;

  const QUEUED = {
    confirm: gettext("Confirmation queued for Letzshop."),
    reject: gettext("Decline queued for Letzshop."),
    set_tracking: gettext("Shipping: the tracking number is queued for Letzshop."),
  };
  const DONE = {
    confirm: gettext("Done: Letzshop confirmed the units."),
    reject: gettext("Done: Letzshop recorded the decline."),
    set_tracking: gettext("Shipped: Letzshop has the tracking number and the order is marked shipped."),
  };

  // --- rendering ---------------------------------------------------------------------------

  function address(a) {
    if (!a || !Object.keys(a).length) return h("p", { class: "muted" }, "—");
    const name = [a.firstName || a.first_name, a.lastName || a.last_name].filter(Boolean).join(" ");
    const street = [a.streetNumber || a.street_number, a.streetName || a.street_name || a.street].filter(Boolean).join(" ");
    const city = [a.zipCode || a.zip_code || a.postal_code, a.city].filter(Boolean).join(" ");
    const country = a.country && typeof a.country === "object" ? a.country.name || a.country.iso : a.country;
    const lines = [a.company, name, street, city, country, a.phone].filter(Boolean);
    return h("address", null, lines.map((line, i) => [i ? h("br") : null, line]));
  }

  function renderSummary(o) {
    document.getElementById("order-number").textContent = o.letzshop_order_number || o.letzshop_shipment_id;
    document.title = `${o.letzshop_order_number} · ${pageTitle}`;
    const facts = summary([
      [gettext("Letzshop state"), allDeclined(o) ? statusBadge("unit_state", "confirmed_unavailable") : statusBadge("letzshop_state", o.letzshop_state)],
      [gettext("Sync status"), statusBadge("sync_status", o.sync_status)],
      [gettext("Total"), fmt.money(o.total_amount, o.currency)],
      [gettext("Customer"), o.customer_name, h("br"), h("span", { class: "small muted" }, o.customer_email)],
      [gettext("Shipment number"), o.shipment_number],
      [gettext("Carrier"), o.shipping_carrier ? label("carrier", o.shipping_carrier) : null],
      [gettext("Shipping label"), o.shipping_label && o.shipping_label.label_url
        ? h("a", { href: o.shipping_label.label_url, target: "_blank", rel: "noopener" }, gettext("Open the carrier's label"))
        : h("span", { class: "small muted" }, (o.shipping_label && o.shipping_label.message) || "—")],
      [gettext("Tracking"), o.tracking_number ? `${o.tracking_number} (${o.tracking_carrier ? label("carrier", o.tracking_carrier) : "—"})` : null],
      [gettext("Imported"), time(o.created_at)],
      [gettext("Updated"), time(o.updated_at)],
    ]);
    facts.id = "order-summary";
    document.getElementById("order-summary").replaceWith(facts);
  }

  function exceptionOf(item) {
    return { id: item.exception.id, original_gtin: item.exception.original_gtin || item.gtin, product_name: item.product_name, exception_type: item.exception.exception_type };
  }

  function afterException(message) {
    show(results.confirm, "success", message);
    load();
  }

  function matchCell(item) {
    const ex = item.exception;
    if (!ex) return item.needs_product_match ? badge(gettext("Not matched"), "bad") : badge(gettext("Matched"), "ok");
    const cell = [
      statusBadge("exception_status", ex.status),
      h("span", { class: "small" }, label("exception_type", ex.exception_type)),
    ];
    if (ex.status === "resolved") {
      cell.push(h("span", { class: "small" }, t(gettext("Matched to %(product)s"), { product: item.matched_product_name })));
    } else {
      const named = h("span", { class: "visually-hidden" }, " " + item.product_name);
      const actions = h("div", { class: "row-actions" },
        h("button", {
          type: "button", class: "button small primary",
          onclick: (event) => window.ExceptionDialogs.resolve(exceptionOf(item), { onDone: afterException, trigger: event.currentTarget }),
        }, gettext("Resolve"), named.cloneNode(true)),
        ex.status === "pending" ? h("button", {
          type: "button", class: "button small",
          onclick: (event) => window.ExceptionDialogs.ignore(exceptionOf(item), { onDone: afterException, trigger: event.currentTarget }),
        }, gettext("Ignore"), named) : null);
      cell.push(actions);
    }
    return cell;
  }

  function unitList(unitIds, states, counter) {
    if (!unitIds.length) return "—";
    return h("ul", { class: "unit-list" }, unitIds.map((unitId) => {
      counter.n += 1;
      const state = states[unitId] || "unconfirmed";
      const inputId = `unit-${counter.n}`;
      return h("li", { class: "checkbox" },
        h("input", { type: "checkbox", id: inputId, name: "inventory_unit_ids", value: unitId, disabled: state !== "unconfirmed", "aria-describedby": "units-error" }),
        h("label", { for: inputId }, t(gettext("Unit %(number)s"), { number: counter.n }), " ", statusBadge("unit_state", state)));
    }));
  }

  function renderItems(o) {
    const states = Object.fromEntries((o.inventory_units || []).map((u) => [u.id, u.state]));
    const headers = Array.from(document.querySelectorAll("#items-table thead th")).map((th) => th.textContent.trim());
    const counter = { n: 0 };
    const covered = new Set();
    const rows = o.items.map((item) => {
      (item.inventory_unit_ids || []).forEach((u) => covered.add(u));
      const cells = [
        [item.product_name, h("span", { class: "small" }, item.product_sku ? t(gettext("SKU %(sku)s"), { sku: item.product_sku }) : null)],
        item.gtin || "—",
        [fmt.money(item.unit_price, o.currency), item.quantity > 1 ? h("span", { class: "small" }, `× ${fmt.number(item.quantity)} = ${fmt.money(item.total_price, o.currency)}`) : null],
        matchCell(item),
        unitList(item.inventory_unit_ids || [], states, counter),
      ];
      return h("tr", null, cells.map((cell, i) => h("td", { "data-label": headers[i], class: i === 2 ? "num" : null }, cell)));
    });
    const loose = (o.inventory_units || []).map((u) => u.id).filter((u) => !covered.has(u));
    if (loose.length) {
      rows.push(h("tr", null, headers.map((header, i) => h("td", { "data-label": header }, i === 4 ? unitList(loose, states, counter) : "—"))));
    }
    document.querySelector("#items-table tbody").replaceChildren(...rows);

    const blocking = document.getElementById("order-blocking");
    blocking.hidden = !o.blocking_exceptions;
    blocking.textContent = o.blocking_exceptions
      ? tn(ngettext(
          "%(count)s product exception blocks the confirmation: resolve it with the right product.",
          "%(count)s product exceptions block the confirmation: resolve them with the right products.",
          o.blocking_exceptions), o.blocking_exceptions)
      : "";
    const open = Object.values(states).filter((s) => s === "unconfirmed").length;
    for (const button of document.querySelectorAll('[data-action^="confirm"], [data-action^="decline"]')) button.disabled = !open;
  }

  // Every unit declined: the order is declined, whatever state Letzshop gives the shipment.
  function allDeclined(o) {
    const units = o.inventory_units || [];
    return units.length > 0 && units.every((u) => u.state === "confirmed_unavailable");
  }

  function renderTracking(o) {
    // Only what can be done: no tracking for an order with nothing to ship.
    const nothingToShip = allDeclined(o);
    document.getElementById("tracking-none").hidden = !nothingToShip;
    trackingForm.hidden = nothingToShip;
    document.getElementById("tracking-current").hidden = nothingToShip;
    document.getElementById("tracking-current").textContent = o.tracking_number
      ? t(gettext("Current tracking: %(number)s (%(carrier)s)."), { number: o.tracking_number, carrier: o.tracking_carrier ? label("carrier", o.tracking_carrier) : "—" })
      : gettext("No tracking number yet. Confirm the order first, then add the carrier's tracking number.");
    // A shipped order keeps the form to correct its tracking number.
    document.getElementById("tracking-submit").textContent = o.sync_status === "shipped" ? gettext("Update tracking") : gettext("Ship");
    if (!trackingForm.elements.tracking_carrier.value) trackingForm.elements.tracking_carrier.value = o.tracking_carrier || o.shipping_carrier || "";
  }

  function renderCustomer(o) {
    const c = o.customer || {};
    document.getElementById("order-customer").replaceChildren(
      h("div", null, h("h3", null, gettext("Contact")), h("p", null, [c.first_name, c.last_name].filter(Boolean).join(" ") || o.customer_name, h("br"), c.email || o.customer_email, c.phone ? [h("br"), c.phone] : null)),
      h("div", null, h("h3", null, gettext("Shipping address")), address(c.shipping_address)),
      h("div", null, h("h3", null, gettext("Billing address")), address(c.billing_address)),
    );
  }

  async function load() {
    const response = await api("GET", `letzshop/orders/${orderId}`);
    container.removeAttribute("aria-busy");
    if (!response.ok) {
      loadError.textContent = errorText(response.data);
      loadError.hidden = false;
      return;
    }
    loadError.hidden = true;
    order = response.data;
    renderSummary(order);
    renderItems(order);
    renderTracking(order);
    renderCustomer(order);
    // Other parts of the page (the loyalty points) follow the order as it is loaded again.
    document.dispatchEvent(new CustomEvent("portal:order-loaded", { detail: order }));
  }

  // --- actions -------------------------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Confirm, decline and tracking are queued; follow the queue row until Letzshop has answered.
  async function follow(queueId, operation, region) {
    let delay = 700;
    const until = Date.now() + 10 * 60 * 1000;
    while (Date.now() < until) {
      await sleep(delay);
      delay = Math.min(delay * 1.4, 3000);
      const response = await api("GET", `letzshop/queue/${queueId}`);
      if (!response.ok) continue;
      const item = response.data;
      if (item.status === "completed") {
        show(region, "success", DONE[operation]);
        return load();
      }
      if (item.status === "failed") {
        show(region, "error",
          window.Portal.problem(item.error_summary, item.error_message),
          h("p", null, h("a", { href: `${config.urls.queue}?status=failed` }, gettext("Retry it from the Queue page."))));
        return load();
      }
      if (item.error_message) {
        show(region, "warning", t(gettext("Letzshop did not answer yet (attempt %(attempt)s of %(max)s). Trying again automatically."), {
          attempt: fmt.number(item.attempts), max: fmt.number(item.max_attempts),
        }), window.Portal.problem(item.error_summary, item.error_message));
      }
    }
    show(region, "warning", gettext("Still waiting for Letzshop. The Queue page shows how it goes."));
  }

  async function send(operation, path, body, form, button) {
    const region = results[operation];
    clearErrors(form);
    busy(button, true);
    const response = await api("POST", `letzshop/orders/${orderId}/${path}`, { body });
    busy(button, false);
    if (response.status === 202) {
      const data = response.data;
      show(region, "info", data.duplicate ? gettext("Already queued: the earlier request is still open.") : QUEUED[operation], gettext("Waiting for Letzshop…"));
      load();
      return follow(data.queue_id, operation, region);
    }
    const detail = response.data && typeof response.data.detail === "string" ? response.data.detail : "";
    const blocked = response.status === 409 && /(\d+) unresolved exception/.exec(detail);
    if (blocked) {
      const count = Number(blocked[1]);
      show(region, "error", tn(ngettext(
        "Blocked by %(count)s exception: resolve it in the items above, then confirm again.",
        "Blocked by %(count)s exceptions: resolve them in the items above, then confirm again.", count), count));
      return load();
    }
    if (response.status === 400) {
      region.replaceChildren();
      region.className = "result";
      return showErrors(form, response.data);
    }
    show(region, "error", errorText(response.data));
  }

  function selectedUnits() {
    return Array.from(unitsForm.querySelectorAll('input[name="inventory_unit_ids"]:checked')).map((el) => el.value);
  }

  function needSelection(form) {
    showErrors(form, { inventory_unit_ids: gettext("Select at least one unconfirmed unit, or use the “all units” button.") });
  }

  unitsForm.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "confirm-all") return send("confirm", "confirm", {}, unitsForm, button);
    const units = selectedUnits();
    clearErrors(unitsForm);
    if (!units.length) return needSelection(unitsForm);
    send("confirm", "confirm", { inventory_unit_ids: units }, unitsForm, button);
  });
  unitsForm.addEventListener("submit", (event) => event.preventDefault());

  declineForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(declineForm);
    clearErrors(unitsForm);
    const button = event.submitter;
    const reason = declineForm.elements.reason.value.trim();
    if (!reason) return showErrors(declineForm, { reason: gettext("Say why the order is declined (for example: out of stock).") });
    if (!order) return; // still loading: the buttons act on the order once it is shown
    const body = { reason };
    let count = (order.inventory_units || []).filter((u) => u.state === "unconfirmed").length;
    if (button && button.dataset.action === "decline-selected") {
      const units = selectedUnits();
      if (!units.length) return needSelection(unitsForm);
      body.inventory_unit_ids = units;
      count = units.length;
    }
    // A decline cannot be undone: ask first, saying how many units and of which order.
    declineDialog.querySelector("#decline-dialog-text").textContent = tn(ngettext(
      "%(count)s unit of order %(order)s will be declined (reason: %(reason)s).",
      "%(count)s units of order %(order)s will be declined (reason: %(reason)s).", count), count,
    { order: order.letzshop_order_number, reason });
    declineDialog.returnValue = "";
    declineDialog.addEventListener("close", function decided() {
      if (declineDialog.returnValue === "decline") send("reject", "reject", body, declineForm, button);
      else if (button) button.focus();
    }, { once: true });
    declineDialog.showModal();
  });

  trackingForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(trackingForm);
    const number = trackingForm.elements.tracking_number.value.trim();
    const carrier = trackingForm.elements.tracking_carrier.value.trim();
    const errors = {};
    if (!number) errors.tracking_number = gettext("Enter the tracking number.");
    if (!carrier) errors.tracking_carrier = gettext("Enter the carrier (for example dhl, ups, post_lu, greco).");
    if (Object.keys(errors).length) return showErrors(trackingForm, errors);
    send("set_tracking", "tracking", { tracking_number: number, tracking_carrier: carrier }, trackingForm, event.submitter);
  });

  load();
})();
