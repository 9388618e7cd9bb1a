/* Notifications: what failed for this store, newest first; open one where it is fixed, mark it read. */
(function () {
  "use strict";
  const { api, h, t, time, label, badge, show, busy, errorText } = window.Portal;
  const result = document.getElementById("action-result");
  const TONES = { error: "bad", warning: "warn", info: "" };

  function changed() {
    document.dispatchEvent(new CustomEvent("portal:notifications-changed"));
  }

  async function markRead(notification, button) {
    busy(button, true);
    const response = await api("POST", `notifications/${notification.id}/read`);
    busy(button, false);
    if (!response.ok) return show(result, "error", errorText(response.data));
    show(result, "success", t(gettext("“%(title)s” marked read."), { title: notification.title }));
    changed();
    list.reload();
  }

  // Opening a notification marks it read, then goes where it is fixed.
  async function open(notification, event) {
    if (notification.read_at || !notification.link) return;
    event.preventDefault();
    await api("POST", `notifications/${notification.id}/read`);
    window.location.assign(notification.link);
  }

  function summary(n) {
    const title = n.link
      ? h("a", { href: n.link, onclick: (event) => open(n, event) }, n.title)
      : h("span", null, n.title);
    return h("div", { class: "notification" + (n.read_at ? "" : " unread") },
      n.read_at ? title : h("strong", null, title),
      h("p", { class: "muted" }, n.message),
      n.occurrences > 1 ? h("p", { class: "muted" }, t(ngettext("Seen %(count)s time, last %(when)s.", "Seen %(count)s times, last %(when)s.", n.occurrences), { count: n.occurrences, when: window.Portal.fmt.date(n.last_seen_at) })) : null);
  }

  const list = window.Portal.listPage({
    path: "notifications",
    defaults: { unread: "true" },
    columns: [
      (n) => time(n.created_at),
      (n) => badge(label("notification_level", n.level), TONES[n.level]),
      summary,
      (n) => h("span", null,
        n.read_at ? badge(gettext("Read")) : badge(gettext("Unread"), "warn"), " ",
        n.resolved_at ? badge(gettext("Resolved"), "ok") : badge(gettext("Open"), "bad")),
      (n) => n.read_at
        ? "—"
        : h("button", { type: "button", class: "button small", onclick: (event) => markRead(n, event.currentTarget) },
            gettext("Mark read"), h("span", { class: "visually-hidden" }, " " + n.title)),
    ],
    summary: (count) => window.Portal.tn(ngettext("%(count)s notification", "%(count)s notifications", count), count),
    empty: gettext("No notification matches: nothing needs you."),
  });
  list.load();
})();
