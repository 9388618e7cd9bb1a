/* The header's bell: the current store's unread notifications, counted through the API.
 * Pages that change the count (marking read) send "portal:notifications-changed". */
(function () {
  "use strict";
  const bell = document.getElementById("portal-bell");
  if (!bell || !window.Portal) return;
  const { api, t, fmt } = window.Portal;
  const count = bell.querySelector(".bell-count");

  async function refresh() {
    const response = await api("GET", "notifications", { params: { unread: "true", page_size: 1 } });
    if (!response.ok) { count.textContent = "?"; return; }
    const unread = response.data.count;
    count.textContent = fmt.number(unread);
    count.dataset.count = String(unread);
    bell.classList.toggle("bell-unread", unread > 0);
    bell.title = t(ngettext("%(count)s unread notification", "%(count)s unread notifications", unread), { count: fmt.number(unread) });
  }

  document.addEventListener("portal:notifications-changed", refresh);
  refresh();
})();
