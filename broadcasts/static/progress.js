// A running broadcast's progress, polled every 2 s (a file: the Content-Security-Policy allows no inline scripts).
"use strict";
(function () {
  var box = document.getElementById("progress");
  function show(p) {
    Object.keys(p.counts).forEach(function (state) {
      var cell = document.getElementById("count-" + state);
      if (cell) { cell.textContent = p.counts[state]; }
    });
    var bar = document.getElementById("bar");
    bar.max = p.total || 1; bar.value = p.finished;
    document.getElementById("percent").textContent = p.percent.toFixed(1);
    document.getElementById("rate").textContent = p.rate_per_s.toFixed(1);
    document.getElementById("eta").textContent = p.eta_s === null ? "–" : p.eta_s;
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      show(p);
      if (p.status !== box.dataset.status) { window.location.reload(); } else { setTimeout(poll, 2000); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
