// The public status page's map: listed reports as small circles (rounded positions), private kinds as a count per cell.
(function () {
  "use strict";
  var holder = document.getElementById("map");
  if (!holder || typeof L === "undefined") { return; }
  var labels = JSON.parse(holder.dataset.labels || "{}");
  var categories = JSON.parse(holder.dataset.categories || "{}");
  var map = L.map(holder).setView([31.23, 121.47], 12);
  // No tile server is assumed (every external URL is a setting): the circles stand on a plain background.
  function describe(props) {
    if (props.private_count !== undefined) {
      return holder.dataset.privateText.replace("%(count)s", String(props.private_count));
    }
    var state = props.open ? holder.dataset.openText : holder.dataset.closedText;
    return "#" + props.id + " · " + (categories[props.category] || props.category) + " · " +
      (labels[props.status] || props.status) + " (" + state + ")";
  }
  fetch(holder.dataset.source, { credentials: "omit" })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var districts = L.geoJSON(collection, {
        filter: function (feature) { return feature.properties.district !== undefined; },
        style: { color: "#0b4f6c", weight: 1, fillOpacity: 0.04 },
        interactive: false
      }).addTo(map);
      var layer = L.geoJSON(collection, {
        filter: function (feature) { return feature.properties.district === undefined; },
        pointToLayer: function (feature, latlng) {
          var props = feature.properties;
          var isPrivate = props.private_count !== undefined;
          return L.circleMarker(latlng, {
            radius: isPrivate ? 8 + Math.min(props.private_count, 12) : 6,
            color: isPrivate ? "#6a3d9a" : (props.open ? "#d9480f" : "#2b8a3e"),
            className: isPrivate ? "private-cell" : "report-point"
          });
        },
        onEachFeature: function (feature, marker) {
          var text = document.createTextNode(describe(feature.properties));
          var box = document.createElement("span");
          box.appendChild(text);
          marker.bindPopup(box);
        }
      }).addTo(map);
      var shown = layer.getLayers().length ? layer : districts;
      if (shown.getLayers().length) { map.fitBounds(shown.getBounds(), { maxZoom: 15, padding: [20, 20] }); }
      holder.dataset.loaded = String(layer.getLayers().length);
    })
    .catch(function () { holder.dataset.loaded = "error"; });
}());
