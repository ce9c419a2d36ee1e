/* The hazard map: grid cells filled by risk level, open reports as clustered markers, the week's forecast.
 * Data comes per viewport as GeoJSON from /admin/map/*.geojson; clicking a cell opens its panel beside the map,
 * clicking a marker opens its report. Settings arrive in the map element's data-config (no inline script). */
(function () {
  "use strict";
  var element = document.getElementById("risk-map");
  if (!element || typeof L === "undefined") { return; }
  var config = JSON.parse(element.getAttribute("data-config"));
  var labels = config.labels;
  var panel = document.getElementById("risk-panel");
  var notice = document.getElementById("risk-notice");
  var filters = document.getElementById("risk-filters");
  var query = new URLSearchParams(window.location.search);
  var map = L.map(element, { zoomControl: true, minZoom: 3, maxZoom: 19 });

  // Cells and the forecast below the markers, whatever order the viewport's data arrives in.
  map.createPane("riskCells").style.zIndex = 350;
  map.createPane("riskForecast").style.zIndex = 380;
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }
  if (query.get("lat") && query.get("lon")) {
    map.setView([Number(query.get("lat")), Number(query.get("lon"))], Number(query.get("zoom") || 16));
  } else {
    map.fitBounds(config.bounds);
  }

  function classSafe(key) { return String(key).replace(/[^A-Za-z0-9_-]/g, "_"); }

  var cells = L.geoJSON(null, {
    pane: "riskCells",
    style: function (feature) {
      var level = feature.properties.level;
      return {
        color: "#555", weight: 1, fillColor: config.levelColours[level], fillOpacity: level === "blue" ? 0.15 : 0.5,
        className: "risk-cell risk-level-" + level + " risk-cell-" + classSafe(feature.properties.key)
      };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.label + " · " + config.levelLabels[feature.properties.level]);
      layer.on("click", function () { openCell(feature.properties.key); });
    }
  }).addTo(map);

  var forecast = L.geoJSON(null, {
    pane: "riskForecast",
    style: function (feature) {
      var strength = Math.max(0.15, 0.7 - 0.05 * (feature.properties.rank - 1));
      return { color: "#5b2a86", weight: 2, dashArray: "4 3", fillColor: "#5b2a86", fillOpacity: strength,
               className: "risk-forecast" };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.label + " · #" + feature.properties.rank + " · " +
                        labels.expected + " " + Number(feature.properties.expected).toFixed(1));
    }
  });

  var reports = L.markerClusterGroup({ disableClusteringAtZoom: 17, showCoverageOnHover: false });
  var counts = L.layerGroup();
  map.addLayer(reports);
  map.addLayer(counts);

  function reportMarker(feature, latlng) {
    var props = feature.properties;
    var marker = L.circleMarker(latlng, {
      radius: 8, weight: 2, color: "#fff", fillOpacity: 0.95,
      fillColor: config.statusColours[props.status] || config.otherColour,
      className: "risk-report risk-report-" + props.id
    });
    marker.bindTooltip(labels.open.replace("%(id)s", props.id));
    marker.on("click", function () { window.location.href = "/admin/reports/" + props.id; });
    return marker;
  }

  function countMarker(feature, latlng) {
    var n = feature.properties.count;
    return L.marker(latlng, {
      icon: L.divIcon({ className: "risk-count", html: String(n), iconSize: [36, 36] }),
      keyboard: false
    });
  }

  var overlays = {};
  overlays[labels.cells] = cells;
  overlays[labels.reports] = reports;
  overlays[labels.forecast] = forecast;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = L.DomUtil.create("div", "risk-legend");
    var title = document.createElement("strong");
    title.textContent = labels.legend;
    box.appendChild(title);
    Object.keys(config.levelLabels).forEach(function (level) {
      var row = document.createElement("div");
      var swatch = document.createElement("i");
      swatch.style.background = config.levelColours[level];
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(config.levelLabels[level]));
      box.appendChild(row);
    });
    return box;
  };
  legend.addTo(map);

  var generation = 0;
  function fetchJson(path, extra) {
    var params = new URLSearchParams(extra || "");
    params.set("bbox", map.getBounds().toBBoxString());
    return fetch(path + "?" + params.toString(), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  function load() {
    var mine = ++generation;
    var wanted = new URLSearchParams(new FormData(filters)).toString();
    fetchJson("/admin/map/cells.geojson").then(function (data) {
      if (mine !== generation) { return; }
      cells.clearLayers();
      cells.addData(data);
      element.setAttribute("data-cells-loaded", String(data.features.length));
    });
    fetchJson("/admin/map/reports.geojson", wanted).then(function (data) {
      if (mine !== generation) { return; }
      reports.clearLayers();
      counts.clearLayers();
      if (data.counted) {
        L.geoJSON(data, { pointToLayer: countMarker }).eachLayer(function (layer) { counts.addLayer(layer); });
      } else {
        var markers = [];
        L.geoJSON(data, { pointToLayer: reportMarker }).eachLayer(function (layer) { markers.push(layer); });
        reports.addLayers(markers);
      }
      notice.hidden = !data.counted;
      notice.textContent = data.counted ? labels.reports_counted : "";
      element.setAttribute("data-reports-loaded", String(data.features.length));
    });
    if (map.hasLayer(forecast)) {
      fetchJson("/admin/map/forecast.geojson").then(function (data) {
        if (mine !== generation) { return; }
        forecast.clearLayers();
        forecast.addData(data);
      });
    }
  }

  function openCell(key) {
    fetch("/admin/map/cells/" + encodeURIComponent(key) + "?fragment=1", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        panel.innerHTML = html;
        panel.hidden = false;
      });
  }

  panel.addEventListener("click", function (event) {
    if (event.target.classList.contains("risk-close")) { panel.hidden = true; }
  });
  filters.addEventListener("change", load);
  filters.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  map.on("moveend", load);
  map.on("overlayadd", function (event) { if (event.layer === forecast) { load(); } });
  load();
  if (query.get("cell")) { openCell(query.get("cell")); }
})();
