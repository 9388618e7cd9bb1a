/* The store portal's shared pieces: API calls with the session, formatting in the page's
 * language, safe DOM building, form errors next to their fields, list pages.
 * Plain browser JavaScript, no build step. Strings go through Django's JavaScript catalog
 * (gettext, ngettext, interpolate are globals it defines). */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("portal-config").textContent);
  const lang = document.documentElement.lang || "en";
  // Luxembourg's conventions for French and German; British English otherwise.
  const LOCALES = { en: "en-GB", fr: "fr-LU", de: "de-LU" };
  const locale = LOCALES[lang] || lang;
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

  // Named interpolation of a string already translated: t(gettext("%(name)s saved"), {name}).
  // (The literal stays inside gettext() so that makemessages finds it.)
  function t(translated, values) {
    return values ? interpolate(translated, values, true) : translated;
  }

  // tn(ngettext("%(count)s order", "%(count)s orders", n), n): the count formatted for the language.
  function tn(translated, count, values) {
    return interpolate(translated, Object.assign({ count: fmt.number(count) }, values || {}), true);
  }

  // --- formatting --------------------------------------------------------------------------

  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: config.timeZone });
  const numberFormat = new Intl.NumberFormat(locale);

  const fmt = {
    date(iso) {
      if (!iso) return "—";
      const value = new Date(iso);
      return isNaN(value) ? String(iso) : dateTimeFormat.format(value);
    },
    number(value) {
      const n = Number(value);
      return Number.isFinite(n) ? numberFormat.format(n) : String(value);
    },
    money(amount, currency) {
      const n = Number(amount);
      if (!Number.isFinite(n)) return String(amount);
      return new Intl.NumberFormat(locale, { style: "currency", currency: currency || "EUR" }).format(n);
    },
    duration(ms) {
      const n = Number(ms);
      if (!Number.isFinite(n)) return "—";
      if (n < 1000) return new Intl.NumberFormat(locale, { style: "unit", unit: "millisecond", maximumFractionDigits: 0 }).format(n);
      return new Intl.NumberFormat(locale, { style: "unit", unit: "second", maximumFractionDigits: 1 }).format(n / 1000);
    },
  };

  function time(iso) {
    return h("time", { datetime: iso || null }, fmt.date(iso));
  }

  function label(kind, value) {
    const labels = config.labels[kind] || {};
    return labels[value] || value || "—";
  }

  // --- DOM ---------------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function badge(text, tone) {
    return h("span", { class: "badge" + (tone ? " " + tone : "") }, text);
  }

  const TONES = {
    success: "ok", completed: "ok", confirmed: "ok", confirmed_available: "ok", resolved: "ok", shipped: "ok", delivered: "ok",
    failed: "bad", rejected: "bad", confirmed_unavailable: "bad", interrupted: "bad",
    pending: "warn", unconfirmed: "warn", partial: "warn", processing: "warn", running: "warn", ignored: "warn",
  };

  // A <dl> of term and value pairs; a pair of null is left out.
  function summary(pairs) {
    return h("dl", { class: "summary" }, pairs.filter(Boolean).map(([term, ...value]) =>
      h("div", null, h("dt", null, term), h("dd", null, ...(value.filter((v) => v !== null && v !== undefined && v !== "").length ? value : ["—"])))));
  }

  function statusBadge(kind, value) {
    return badge(label(kind, value), TONES[value]);
  }

  // A failure as a person reads it: the sentence first (the API's *_summary fields, in the page's
  // language), Letzshop's technical answer behind a "Details" toggle for whoever investigates.
  function problem(sentence, detail) {
    if (!sentence && !detail) return "—";
    const parts = [h("span", { class: "problem-text" }, sentence || detail)];
    if (detail && sentence && detail !== sentence) {
      parts.push(h("details", { class: "problem-details" }, h("summary", null, gettext("Details")), h("code", null, detail)));
    }
    return h("div", { class: "problem" }, parts);
  }

  // A message in a live region: kind is "success", "error", "warning" or "info".
  function show(region, kind, ...content) {
    region.className = "result " + (kind || "");
    region.replaceChildren(...content.map((part) => (part instanceof Node ? part : h("p", null, part))));
  }

  function busy(button, on) {
    if (!button) return;
    button.disabled = on;
    if (on) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
  }

  // --- the API -----------------------------------------------------------------------------

  function query(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== "" && value !== null && value !== undefined) search.set(key, value);
    }
    const text = search.toString();
    return text ? "?" + text : "";
  }

  async function api(method, path, { body, params } = {}) {
    const headers = { Accept: "application/json", "X-Store-Id": String(config.storeId) };
    const init = { method, headers, credentials: "same-origin" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(config.apiBase + path + query(params), init);
    } catch (error) {
      return { ok: false, status: 0, data: { detail: gettext("The server could not be reached. Check your connection and try again.") } };
    }
    if (response.status === 401) {
      // The session ended: log in again and come back here.
      window.location.assign(config.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
    let data = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      try { data = await response.json(); } catch (error) { data = null; }
    }
    if (!response.ok && (data === null || typeof data !== "object")) {
      data = { detail: t(gettext("The server answered with an error (%(status)s). Try again in a moment."), { status: response.status }) };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function errorText(data) {
    if (!data) return gettext("Something went wrong.");
    if (typeof data.detail === "string") return data.detail;
    return Object.values(data).map((v) => (Array.isArray(v) ? v.join(" ") : String(v))).join(" ");
  }

  // --- form errors, next to their fields -------------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute("aria-invalid"));
    form.querySelectorAll(".error[data-for]").forEach((el) => { el.textContent = ""; el.hidden = true; });
    form.querySelectorAll(".form-error").forEach((el) => { el.textContent = ""; el.hidden = true; });
  }

  // Errors are {field: [message]} or {detail: message}; each goes next to its field if the form
  // has one, the rest above the buttons. The first field in error gets the focus.
  function showErrors(form, errors, { focus = true } = {}) {
    let first = null;
    const rest = [];
    for (const [name, value] of Object.entries(errors || {})) {
      const message = Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : JSON.stringify(value);
      const slot = form.querySelector(`.error[data-for="${CSS.escape(name)}"]`);
      if (!slot) { rest.push(message); continue; }
      slot.textContent = message;
      slot.hidden = false;
      const field = form.querySelector(`[name="${CSS.escape(name)}"]`) || document.getElementById(slot.id.replace(/-error$/, ""));
      if (field && field.matches("input, select, textarea")) field.setAttribute("aria-invalid", "true");
      first = first || field || slot;
    }
    const general = form.querySelector(".form-error");
    if (rest.length && general) {
      general.textContent = rest.join(" ");
      general.hidden = false;
      first = first || general;
    }
    if (focus && first) {
      if (!first.matches("input, select, textarea, button, fieldset")) first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  // A field's error goes away as soon as the field is changed.
  function clearFieldError(event) {
    const field = event.target;
    if (!field.form || !field.name) return;
    const slot = field.form.querySelector(`.error[data-for="${CSS.escape(field.name)}"]`);
    if (slot) { slot.hidden = true; slot.textContent = ""; }
    field.form.querySelectorAll(`[name="${CSS.escape(field.name)}"][aria-invalid]`).forEach((el) => el.removeAttribute("aria-invalid"));
  }
  document.addEventListener("input", clearFieldError);
  document.addEventListener("change", clearFieldError);

  // --- list pages ------------------------------------------------------------------------------

  // A filter form, a table and a pager over one paginated endpoint. The filters live in the
  // page's URL, so a filtered list can be bookmarked and the Back button works.
  function listPage({ path, columns, summary, empty, defaults = {}, pageSize = 25 }) {
    const form = document.getElementById("filters");
    const table = document.getElementById("list-table");
    const tbody = table.querySelector("tbody");
    const summaryEl = document.getElementById("list-summary");
    const pager = document.getElementById("pager");
    const headers = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    let page = 1;

    function fromUrl() {
      const params = new URLSearchParams(window.location.search);
      const firstVisit = ![...params.keys()].length;
      for (const el of form.elements) {
        if (!el.name) continue;
        const value = params.has(el.name) ? params.get(el.name) : firstVisit ? defaults[el.name] || "" : "";
        if (el.type === "checkbox") el.checked = value === "true";
        else el.value = value;
      }
      page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    }

    function filters() {
      const values = {};
      for (const el of form.elements) {
        if (!el.name) continue;
        const value = el.type === "checkbox" ? (el.checked ? "true" : "") : el.value.trim();
        if (value) values[el.name] = value;
      }
      return values;
    }

    function toUrl(values) {
      const params = Object.assign({}, values, page > 1 ? { page } : {});
      // An explicit empty filter keeps the defaults from coming back.
      for (const name of Object.keys(defaults)) if (!(name in params)) params[name] = "";
      const search = new URLSearchParams(params).toString();
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
    }

    async function load() {
      clearErrors(form);
      const values = filters();
      toUrl(values);
      table.setAttribute("aria-busy", "true");
      const params = Object.assign({}, path.params ? path.params(values) : values, { page, page_size: pageSize });
      const response = await api("GET", path.url || path, { params });
      table.removeAttribute("aria-busy");
      if (!response.ok) {
        if (response.status === 404 && page > 1) { page = 1; return load(); }
        showErrors(form, response.data, { focus: false });
        tbody.replaceChildren(h("tr", null, h("td", { colspan: headers.length, class: "empty" }, errorText(response.data))));
        pager.hidden = true;
        return null;
      }
      const { count, results } = response.data;
      const rows = results.map((row) => h("tr", null, columns.map((render, i) => {
        const cell = render(row);
        return cell instanceof Node && cell.tagName === "TD" ? (cell.dataset.label = headers[i], cell) : h("td", { "data-label": headers[i] }, cell);
      })));
      tbody.replaceChildren(...(rows.length ? rows : [h("tr", null, h("td", { colspan: headers.length, class: "empty" }, empty))]));
      summaryEl.textContent = summary(count);
      const pages = Math.max(1, Math.ceil(count / pageSize));
      pager.hidden = pages <= 1;
      pager.querySelector(".pager-text").textContent = t(gettext("Page %(page)s of %(pages)s"), { page: fmt.number(page), pages: fmt.number(pages) });
      pager.querySelector('[data-page="previous"]').disabled = page <= 1;
      pager.querySelector('[data-page="next"]').disabled = page >= pages;
      return response.data;
    }

    form.addEventListener("submit", (event) => { event.preventDefault(); page = 1; load(); });
    form.addEventListener("reset", () => {
      // After the browser has cleared the fields.
      setTimeout(() => { for (const el of form.elements) if (el.name && el.type !== "checkbox") el.value = ""; page = 1; load(); }, 0);
    });
    pager.addEventListener("click", (event) => {
      const button = event.target.closest("[data-page]");
      if (!button) return;
      page += button.dataset.page === "next" ? 1 : -1;
      load().then(() => table.scrollIntoView({ block: "start" }));
    });
    fromUrl();
    return { load, reload: load };
  }

  window.Portal = { config, t, tn, fmt, time, label, h, badge, statusBadge, summary, show, problem, busy, api, errorText, clearErrors, showErrors, listPage, orderUrl: (id) => `${config.urls.orders}${id}/` };
})();
