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
