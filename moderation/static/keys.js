// Keyboard shortcuts for deciding (a file: the Content-Security-Policy allows no inline scripts).
// Report page: 1-4 accept with that severity, R then 1-5 reject with that reason (Esc cancels), M merge field,
// A ask the reporter, J / K next / previous report, Q back to the queue.
// Queue page: J / K move the selection, Enter or O opens the selected report.
// Every shortcut presses a visible button or link (data-shortcut), so the keyboard does what a click would.
"use strict";
(() => {
  let rejecting = false;
  let busy = false;

  const typing = (target) =>
    target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  const press = (element) => {
    if (!element || busy) return false;
    if (element.tagName === "INPUT" || element.tagName === "TEXTAREA") {
      const details = element.closest("details");
      if (details) details.open = true;
      element.focus();
      if (element.select) element.select();
      return true;
    }
    if (element.tagName === "BUTTON") busy = true; // one decision per page: no double submission
    element.click();
    return true;
  };

  const setRejecting = (on) => {
    rejecting = on;
    document.body.classList.toggle("rejecting", on);
  };

  // ---- the queue: a selected row, moved with J / K, opened with Enter / O
  const rows = Array.from(document.querySelectorAll("tr[data-href]"));
  let selected = rows.length ? 0 : -1;
  const select = (index) => {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("selected", i === selected));
    rows[selected].scrollIntoView({ block: "nearest" });
  };
  if (rows.length) select(0);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key.toLowerCase();
    if (rejecting) {
      if (key === "escape") setRejecting(false);
      else if (/^[1-9]$/.test(key)) press(document.querySelector(`[data-reject-shortcut="${key}"]`));
      event.preventDefault();
      return;
    }
    if (key === "r" && document.querySelector("[data-reject-shortcut]")) {
      setRejecting(true);
      event.preventDefault();
      return;
    }
    if (rows.length && (key === "j" || key === "k" || key === "enter" || key === "o")) {
      if (key === "j") select(selected + 1);
      else if (key === "k") select(selected - 1);
      else window.location.href = rows[selected].dataset.href;
      event.preventDefault();
      return;
    }
    if (press(document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`))) event.preventDefault();
  });
})();
