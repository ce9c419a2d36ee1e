// Drag a box on a photo to fill its redaction form (the form still works by typing, without JS).
"use strict";
(() => {
  for (const area of document.querySelectorAll(".redact-area")) {
    const img = area.querySelector("img");
    const form = document.getElementById(area.dataset.form);
    const box = document.createElement("div");
    box.className = "redact-box";
    box.hidden = true;
    area.append(box);
    let start = null;

    const point = (event) => {
      const rect = img.getBoundingClientRect();
      return {
        x: Math.min(Math.max(event.clientX - rect.left, 0), rect.width),
        y: Math.min(Math.max(event.clientY - rect.top, 0), rect.height),
      };
    };
    const show = (a, b) => {
      Object.assign(box.style, {
        left: Math.min(a.x, b.x) + "px", top: Math.min(a.y, b.y) + "px",
        width: Math.abs(a.x - b.x) + "px", height: Math.abs(a.y - b.y) + "px",
      });
      box.hidden = false;
    };
    const fill = (a, b) => {
      // The photo is shown scaled: form fields take pixels of the full stored photo.
      const scale = Number(area.dataset.width) / img.getBoundingClientRect().width;
      const field = (name, value) => { form.elements[name].value = String(Math.round(value * scale)); };
      field("x", Math.min(a.x, b.x)); field("y", Math.min(a.y, b.y));
      field("w", Math.max(Math.abs(a.x - b.x), 1)); field("h", Math.max(Math.abs(a.y - b.y), 1));
    };

    img.draggable = false;
    area.addEventListener("pointerdown", (event) => {
      start = point(event);
      area.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    area.addEventListener("pointermove", (event) => { if (start) show(start, point(event)); });
    area.addEventListener("pointerup", (event) => {
      if (!start) return;
      const end = point(event);
      show(start, end);
      fill(start, end);
      start = null;
    });
  }
})();
