/* Settings › Letzshop Integration: the API key (never shown back), Test Connection, Auto-Sync
 * and its interval, Save. */
(function () {
  "use strict";
  const { api, h, t, fmt, time, show, busy, clearErrors, showErrors, badge, statusBadge, summary: pairs, errorText, config } = window.Portal;

  const form = document.getElementById("credentials-form");
  const summary = document.getElementById("connection-summary");
  const saved = document.getElementById("api_key-saved");
  const testButton = document.getElementById("test-connection");
  const saveButton = document.getElementById("save-credentials");
  const testResult = document.getElementById("test-result");
  const saveResult = document.getElementById("save-result");
  const fields = form.elements;
  let credentials = null;

  function render(data) {
    credentials = data;
    summary.removeAttribute("aria-busy");
    if (!data) {
      summary.replaceChildren(h("p", null, badge(gettext("Not connected"), "bad"), " ", gettext("Enter the API key from your Letzshop merchant portal, test it, then save.")));
      saved.textContent = "";
      fields.api_endpoint.value = config.defaultEndpoint;
      return;
    }
    summary.replaceChildren(pairs([
      [gettext("Status"), badge(gettext("Connected"), "ok")],
      [gettext("Saved key"), data.api_key_masked],
      [gettext("Auto-Sync"), data.auto_sync_enabled ? gettext("On") : gettext("Off")],
      [gettext("Last import"), data.last_sync_at ? time(data.last_sync_at) : gettext("Never"), " ", data.last_sync_status ? statusBadge("log_status", data.last_sync_status) : null],
      [gettext("Updated"), time(data.updated_at)],
    ]));
    saved.textContent = t(gettext("A key is saved (%(key)s): leave the field empty to keep it."), { key: data.api_key_masked });
    fields.api_key.value = "";
    fields.api_endpoint.value = data.api_endpoint;
    fields.auto_sync_enabled.checked = data.auto_sync_enabled;
    fields.sync_interval_minutes.value = data.sync_interval_minutes;
  }

  // The buttons wait for the saved settings, so that nothing is tested or saved against a form
  // that is still empty.
  async function load() {
    testButton.disabled = saveButton.disabled = true;
    const response = await api("GET", "letzshop/credentials");
    if (response.status === 404) render(null);
    else if (response.ok) render(response.data);
    else {
      summary.removeAttribute("aria-busy");
      return show(summary, "error", errorText(response.data));
    }
    testButton.disabled = false;
    saveButton.disabled = !config.canManage;
  }

  // The credentials' rules, checked here first so that the message is in the page's language.
  function validate({ forSave }) {
    const errors = {};
    const key = fields.api_key.value.trim();
    if (!key && !credentials) {
      errors.api_key = gettext("Enter your Letzshop API key.");
    } else if (/\s/.test(key)) {
      errors.api_key = gettext("An API key has no spaces: copy it again from the Letzshop merchant portal.");
    }
    const endpoint = fields.api_endpoint.value.trim();
    if (endpoint && !/^https?:\/\/[^\s/]+/i.test(endpoint)) {
      errors.api_endpoint = gettext("Enter a full URL such as https://letzshop.lu/graphql.");
    }
    if (forSave) {
      const interval = Number(fields.sync_interval_minutes.value);
      if (!Number.isInteger(interval) || interval < config.interval.min || interval > config.interval.max) {
        errors.sync_interval_minutes = t(gettext("The sync interval must be between %(min)s and %(max)s minutes."), {
          min: fmt.number(config.interval.min), max: fmt.number(config.interval.max),
        });
      }
    }
    return errors;
  }

  testButton.addEventListener("click", async () => {
    clearErrors(form);
    saveResult.replaceChildren();
    const errors = validate({ forSave: false });
    if (Object.keys(errors).length) return showErrors(form, errors);
    busy(testButton, true);
    show(testResult, "info", gettext("Testing the connection…"));
    const key = fields.api_key.value.trim();
    // A key typed in is tested as it stands, without saving it; else the saved credentials.
    const response = key
      ? await api("POST", "letzshop/test-key", { body: { api_key: key, api_endpoint: fields.api_endpoint.value.trim() } })
      : await api("POST", "letzshop/test");
    busy(testButton, false);
    if (!response.ok) {
      testResult.replaceChildren();
      return showErrors(form, response.data);
    }
    const r = response.data;
    if (r.success) {
      // The check of Letzshop's live schema comes with a working connection.
      const schema = r.schema;
      const lines = [t(gettext("Connection successful (%(time)s)."), { time: fmt.duration(r.response_time_ms) })];
      if (schema && (schema.compatible || schema.error)) lines.push(h("p", { class: "schema-check" }, schema.message));
      else if (schema) lines.push(h("div", { class: "schema-check" },
        h("p", null, gettext("API schema: Letzshop differs from what the integration expects:")),
        h("ul", null, schema.differences.map((d) => h("li", null, d.message)))));
      show(testResult, schema && !schema.compatible ? "warning" : "success", ...lines);
    } else {
      show(testResult, "error", t(gettext("Connection failed: %(reason)s"), { reason: r.message }));
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    testResult.replaceChildren();
    const errors = validate({ forSave: true });
    if (Object.keys(errors).length) return showErrors(form, errors);
    const body = {
      api_endpoint: fields.api_endpoint.value.trim(),
      auto_sync_enabled: fields.auto_sync_enabled.checked,
      sync_interval_minutes: Number(fields.sync_interval_minutes.value),
    };
    const key = fields.api_key.value.trim();
    if (key) body.api_key = key;
    busy(saveButton, true);
    const response = await api(credentials ? "PATCH" : "POST", "letzshop/credentials", { body });
    busy(saveButton, false);
    if (!response.ok) {
      saveResult.replaceChildren();
      return showErrors(form, response.data);
    }
    render(response.data);
    show(saveResult, "success", response.data.auto_sync_enabled
      ? t(gettext("Saved. Orders are imported every %(minutes)s minutes."), { minutes: fmt.number(response.data.sync_interval_minutes) })
      : gettext("Saved. Auto-Sync is off: import orders from the Overview page."));
  });

  load();
})();
