// Small behaviours shared by our admin pages (no build step).
"use strict";
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-navigate]")) {
    // A list filter shown as a drop-down: its options are the filter's links.
    window.location.href = target.value;
  } else if (target.matches("select[data-submit]")) {
    // The language chooser in the header.
    target.form.submit();
  }
});

// An order's page with an operation on its way to Letzshop follows it: the page is read again
// every two seconds, and shown anew once nothing waits any more (at most ten minutes).
(function follow() {
  if (!document.getElementById("ls-follow")) return;
  const until = Date.now() + 10 * 60 * 1000;
  async function check() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      const text = await response.text();
      if (response.ok && !text.includes('id="ls-follow"')) return window.location.reload();
    } catch (error) { /* the next try tells */ }
    if (Date.now() < until) setTimeout(check, 2000);
  }
  setTimeout(check, 2000);
})();
