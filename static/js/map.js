/* The map of laureates by region: a choropleth drawn with the Leaflet bundled by
   django-leaflet, from the project's own GeoJSON API. No inline script, no CDN; tiles only
   when the site configures a tile server. The same figures are in the table under the map. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var stringsNode = document.getElementById("map-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  document.querySelectorAll("[data-ptce-map]").forEach(setUp);

function setUp(element) {
  var metric = element.dataset.metric;
  var level = element.dataset.level;
  var compact = element.dataset.compact === "true";
  var panel = document.getElementById("region-panel");
  var METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  var COLOURS = ["#e3e3fd", "#b8b8f2", "#8585e0", "#5252c9", "#2323a8", "#000091"];

  var map = L.map(element, { zoomSnap: 0.25, minZoom: 2, maxZoom: 16, scrollWheelZoom: !compact });
  map.fitBounds(METROPOLE);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, {
      maxZoom: 18, attribution: element.dataset.attribution
    }).addTo(map);
  }
  map.attributionControl.setPrefix(false);

  function colour(value, max) {
    if (!value) { return "#f6f6f6"; }
    var index = Math.max(1, Math.ceil(value / max * (COLOURS.length - 1)));
    return COLOURS[Math.min(index, COLOURS.length - 1)];
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  var layersByCode = {};
  var selected = null;

  function showRegion(feature, layer) {
    if (compact || !panel) {
      // The small maps (home, call pages) lead to the full map of the same selection.
      window.location.href = element.dataset.fullUrl;
      return;
    }
    if (selected) { regions.resetStyle(selected); }
    selected = layer;
    layer.setStyle({ weight: 3, color: "#000" });
    map.fitBounds(layer.getBounds(), { maxZoom: 8, animate: false });
    var url = new URL(element.dataset.listUrl, window.location.href);
    url.searchParams.set(level === "former" ? "former_region" : "region", feature.properties.slug);
    panel.replaceChildren(el("h2", feature.properties.name), el("p", strings.loading, "muted"));
    fetch(url).then(function (response) { return response.json(); }).then(function (data) {
      var list = el("ul", undefined, "region-poles");
      data.poles.forEach(function (pole) {
        var item = el("li");
        var link = el("a", pole.name);
        link.href = pole.url;
        item.appendChild(link);
        var notes = [];
        if (pole.laureate_of.length) { notes.push(strings.laureate + " " + pole.laureate_of.join(", ")); }
        if (pole.witness) { notes.push(strings.witness); }
        if (notes.length) { item.appendChild(el("span", " (" + notes.join(", ") + ")", "muted")); }
        list.appendChild(item);
      });
      var count = el("p", data.count + " " + strings.poles);
      panel.replaceChildren(el("h2", feature.properties.name), count);
      if (data.poles.length) { panel.appendChild(list); } else { panel.appendChild(el("p", strings.none, "muted")); }
      if (data.count > data.poles.length) { panel.appendChild(el("p", strings.more)); }
      var more = el("a", strings.directory);
      more.href = data.directory_url;
      panel.appendChild(el("p")).appendChild(more);
    }).catch(function () { panel.replaceChildren(el("p", strings.error)); });
  }

  var regions = L.geoJSON(null, {
    style: function () { return { color: "#333", weight: 1, fillOpacity: 0.85 }; },
    onEachFeature: function (feature, layer) {
      layersByCode[feature.properties.code] = layer;
      var value = feature.properties[metric];
      layer.bindTooltip(feature.properties.name + " : " + value + " " + strings[metric], { sticky: true });
      layer.on("click", function () { showRegion(feature, layer); });
    }
  }).addTo(map);
  var labels = L.layerGroup().addTo(map);
  var markers = L.layerGroup();

  fetch(element.dataset.regionsUrl).then(function (response) {
    if (!response.ok) { throw new Error(response.status); }
    return response.json();
  }).then(function (data) {
    var max = 1;
    data.features.forEach(function (f) { max = Math.max(max, f.properties[metric]); });
    regions.addData(data.features.filter(function (f) { return f.geometry; }));
    regions.setStyle(function (feature) {
      return { color: "#333", weight: 1, fillOpacity: 0.85, fillColor: colour(feature.properties[metric], max) };
    });
    regions.options.style = function (feature) {
      return { color: "#333", weight: 1, fillOpacity: 0.85, fillColor: colour(feature.properties[metric], max) };
    };
    data.features.forEach(function (feature) {
      var point = feature.properties.label_point;
      if (!point) { return; }
      L.marker([point[1], point[0]], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "region-count", html: String(feature.properties[metric]), iconSize: [30, 20] })
      }).addTo(labels);
    });
    if (!compact) { addLegend(max); }
    element.dataset.ready = "true";
  }).catch(function () {
    element.parentNode.insertBefore(el("p", strings.error, "message message-error"), element);
  });

  if (element.dataset.polesUrl) fetch(element.dataset.polesUrl).then(function (response) { return response.json(); }).then(function (data) {
    L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 2, fillColor: "#c9191e", fillOpacity: 1 });
      },
      onEachFeature: function (feature, layer) {
        var popup = el("div");
        var link = el("a", feature.properties.name);
        link.href = feature.properties.url;
        popup.appendChild(link);
        layer.bindPopup(popup);
      }
    }).addTo(markers);
    function toggle() {
      if (map.getZoom() >= 7) { markers.addTo(map); } else { markers.remove(); }
    }
    map.on("zoomend", toggle);
    toggle();
  });

  function addLegend(max) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = el("div", undefined, "map-legend");
      box.appendChild(el("strong", strings.legend));
      var steps = [0];
      for (var i = 1; i < COLOURS.length; i++) {
        var low = Math.floor((i - 1) / (COLOURS.length - 1) * max) + 1;
        var high = Math.floor(i / (COLOURS.length - 1) * max);
        if (high >= low && steps.indexOf(low) === -1) { steps.push(low); }
      }
      steps.forEach(function (low, index) {
        var row = el("div");
        var swatch = el("span", undefined, "swatch");
        swatch.style.background = low === 0 ? "#f6f6f6" : colour(low, max);
        row.appendChild(swatch);
        var next = steps[index + 1];
        row.appendChild(document.createTextNode(
          low === 0 ? "0" : (next ? (next - 1 > low ? low + "–" + (next - 1) : String(low)) : (max > low ? low + "–" + max : String(low)))
        ));
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
  }

  // For tests and for the curious: the map and its region layers.
  if (!compact) { window.__ptceMap = { map: map, layersByCode: layersByCode }; }

  var jump = compact ? null : document.querySelector(".map-jump");
  if (jump) {
    jump.hidden = false;
    jump.addEventListener("click", function (event) {
      var code = event.target.dataset && event.target.dataset.zoom;
      if (!code) { return; }
      if (code === "metropole") { map.fitBounds(METROPOLE); return; }
      var layer = layersByCode[code];
      if (layer) { map.fitBounds(layer.getBounds()); }
    });
  }
}
})();
