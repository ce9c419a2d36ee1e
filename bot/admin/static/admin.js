// The header's menus: one open at a time, closed by a click elsewhere or Escape (they work without JS too).
"use strict";
(() => {
  const menus = () => document.querySelectorAll("header.top details.menu");
  document.addEventListener("toggle", (event) => {
    const opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.classList.contains("menu")) return;
    for (const menu of menus()) if (menu !== opened) menu.open = false;
  }, true);
  document.addEventListener("click", (event) => {
    for (const menu of menus()) if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of menus()) if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
  });
})();
