/* The map of laureates by region (/carte/, and the small maps of the home and call pages): a
   `map:init` handler giving behaviour to the {% leaflet_map %} that django-leaflet built
   (tiles, attribution, zoom limits come from LEAFLET_CONFIG). It draws the choropleth from the
   site's GeoJSON API, the poles' points in clusters (Leaflet.markercluster) once zoomed in, and
   makes each region a button for the keyboard. The words come from the "map-strings" JSON; the
   same figures are in the table under the map. */
(function () {
  "use strict";
  var stringsNode = document.getElementById("map-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  var COLOURS = ["#e3e3fd", "#b8b8f2", "#8585e0", "#5252c9", "#2323a8", "#000091"];
  var POINTS_FROM_ZOOM = 7;
  var linkTarget = null;  // "_blank" in the embeddable map: the registry opens in a new tab

  window.addEventListener("map:init", function (event) {
    var element = event.detail.map.getContainer();
    if (element.hasAttribute("data-ptce-map")) { setUp(event.detail.map, element); }
  });

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function link(text, href) {
    var node = el("a", text);
    node.href = href;
    if (linkTarget) { node.target = linkTarget; node.rel = "noopener"; }
    return node;
  }

  function colour(value, max) {
    if (!value) { return "#f6f6f6"; }
    var index = Math.max(1, Math.ceil(value / max * (COLOURS.length - 1)));
    return COLOURS[Math.min(index, COLOURS.length - 1)];
  }

  function getJSON(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  /* Leaflet projects and draws each outline on the main thread: done all at once, the 18
     regions made one long task (the blocking time Lighthouse measured). A few at a time, with
     a yield between slices, the page stays responsive while they appear. */
  function inSlices(items, each, done) {
    var index = 0;
    (function step() {
      var until = performance.now() + 5;
      while (index < items.length && performance.now() < until) { each(items[index++]); }
      if (index < items.length) { setTimeout(step, 0); } else { done(); }
    })();
  }

  /* « 1 lauréat », « 0 lauréat », « 3 lauréats » ("0 winners" in English): the page gives the
     words for 0, 1 and 2 or more in its language (map_strings). */
  function counted(what, count) {
    return strings.counted[what][Math.min(count, 2)].replace("%(counter)s", String(count));
  }

  /* « Bretagne : 2 lauréats », "Bretagne: 2 winners": the page's pattern (map_strings), its
     two places filled in one pass (a name holding "%(value)s" stays as it is). */
  function labelled(label, value) {
    return strings.labelled.replace(/%\((label|value)\)s/g, function (_, part) {
      return part === "label" ? label : value;
    });
  }

  function setUp(map, element) {
    var metric = element.dataset.metric;
    var compact = element.dataset.compact === "true";
    linkTarget = element.dataset.linkTarget || null;
    if (linkTarget) {  // the credits (Leaflet, the tiles') too leave the partner's frame
      element.querySelectorAll(".leaflet-control-attribution a").forEach(function (a) {
        a.target = linkTarget;
        a.rel = "noopener";
      });
    }
    var layersByCode = {};
    var max = 1;
    var style = function (feature) {
      return { color: "#333", weight: 1, fillOpacity: 0.85, fillColor: colour(feature.properties[metric], max) };
    };
    var showRegion = compact ? function () { window.location.href = element.dataset.fullUrl; }
      : regionPanel(map, element, style);
    var regions = L.geoJSON(null, {
      style: style,
      smoothFactor: 1.5,  // fewer points to draw; the outlines' precision shows no change
      onEachFeature: function (feature, layer) {
        layersByCode[feature.properties.code] = layer;
        var label = labelled(feature.properties.name, counted(metric, feature.properties[metric]));
        layer.bindTooltip(el("span", label), { sticky: true });
        layer.on("click", function () { showRegion(feature, layer); });
        layer.on("add", function () { if (!compact) { asButton(layer, label, feature); } });
      }
    }).addTo(map);
    var labels = L.layerGroup().addTo(map);

    function asButton(layer, label, feature) {
      var path = layer.getElement();
      path.setAttribute("tabindex", "0");
      path.setAttribute("role", "button");
      path.setAttribute("aria-label", label);
      path.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); showRegion(feature, layer); }
      });
    }

    if (compact) { map.scrollWheelZoom.disable(); }
    map.options.zoomSnap = 0.25;
    map.fitBounds(METROPOLE);
    getJSON(element.dataset.regionsUrl).then(function (data) {
      var features = data.features.filter(function (f) { return f.geometry; });
      features.forEach(function (f) { max = Math.max(max, f.properties[metric]); });
      inSlices(features, function (feature) {
        regions.addData(feature);
        var point = feature.properties.label_point;
        if (!point) { return; }
        L.marker([point[1], point[0]], {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "region-count", html: String(feature.properties[metric]), iconSize: [30, 20] })
        }).addTo(labels);
      }, function () {
        if (!compact) { legend(max).addTo(map); }
        element.dataset.ready = "true";
      });
    }).catch(function () {
      element.parentNode.insertBefore(el("p", strings.error, "message message-error"), element);
    });
    if (element.dataset.polesUrl) { addPoints(map, element, element.dataset.polesUrl); }
    if (!compact) {
      // For tests and for the curious: the map and its region layers.
      window.__ptceMap = { map: map, layersByCode: layersByCode };
      jumpButtons(map, layersByCode);
    }
  }

  /* Choosing a region (click, or Enter on it) lists its poles in the panel beside the map. */
  function regionPanel(map, element, style) {
    var panel = document.getElementById("region-panel");
    var level = element.dataset.level;
    var selected = null;
    return function (feature, layer) {
      if (selected) { selected.setStyle(style(selected.feature)); }
      selected = layer;
      layer.setStyle({ weight: 3, color: "#000" });
      map.fitBounds(layer.getBounds(), { maxZoom: 8, animate: false });
      if (!panel) { return; }
      var url = new URL(element.dataset.listUrl, window.location.href);
      url.searchParams.set(level === "former" ? "former_region" : "region", feature.properties.slug);
      panel.replaceChildren(el("h2", feature.properties.name), el("p", strings.loading, "muted"));
      getJSON(url).then(function (data) {
        panel.replaceChildren(el("h2", feature.properties.name), el("p", counted("poles", data.count)));
        panel.appendChild(data.poles.length ? poleList(data.poles) : el("p", strings.none, "muted"));
        if (data.count > data.poles.length) { panel.appendChild(el("p", strings.more)); }
        panel.appendChild(el("p")).appendChild(link(strings.directory, data.directory_url));
      }).catch(function () { panel.replaceChildren(el("p", strings.error)); });
    };
  }

  function poleList(poles) {
    var list = el("ul", undefined, "region-poles");
    poles.forEach(function (pole) {
      var item = list.appendChild(el("li"));
      item.appendChild(link(pole.name, pole.url));
      var notes = [];
      if (pole.laureate_of.length) { notes.push(strings.laureate + " " + pole.laureate_of.join(", ")); }
      if (pole.witness) { notes.push(strings.witness); }
      if (notes.length) { item.appendChild(el("span", " (" + notes.join(", ") + ")", "muted")); }
    });
    return list;
  }

  /* The poles' points, once zoomed in on a region: grouped in clusters (Leaflet.markercluster,
     declared in LEAFLET_CONFIG["PLUGINS"]) so that many poles in one town stay readable. Each
     point and each cluster is a keyboard button with a name (Leaflet's markers are). */
  function addPoints(map, element, url) {
    var points = L.markerClusterGroup ? L.markerClusterGroup({
      showCoverageOnHover: false,
      iconCreateFunction: function (cluster) {
        var count = el("span", String(cluster.getChildCount()) + " ");
        count.appendChild(el("span", strings.poles, "visually-hidden"));
        return L.divIcon({ className: "pole-cluster", html: count, iconSize: [36, 36] });
      }
    }) : L.layerGroup();
    getJSON(url).then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return L.marker(latlng, {
            title: feature.properties.name,
            icon: L.divIcon({ className: "pole-point", iconSize: [14, 14] })
          });
        },
        onEachFeature: function (feature, layer) {
          layer.bindPopup(link(feature.properties.name, feature.properties.url));
        }
      }).eachLayer(function (layer) { points.addLayer(layer); });
      function toggle() {
        if (map.getZoom() >= POINTS_FROM_ZOOM) { points.addTo(map); } else { points.remove(); }
      }
      map.on("zoomend", toggle);
      toggle();
      element.dataset.pointsReady = "true";  // for tests: the map has settled
    });
  }

  function legend(max) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", undefined, "map-legend");
      box.appendChild(el("strong", strings.legend));
      var steps = [0];
      for (var i = 1; i < COLOURS.length; i++) {
        var low = Math.floor((i - 1) / (COLOURS.length - 1) * max) + 1;
        var high = Math.floor(i / (COLOURS.length - 1) * max);
        if (high >= low && steps.indexOf(low) === -1) { steps.push(low); }
      }
      steps.forEach(function (low, index) {
        var row = box.appendChild(el("div"));
        var swatch = row.appendChild(el("span", undefined, "swatch"));
        swatch.style.background = low === 0 ? "#f6f6f6" : colour(low, max);
        var high = (steps[index + 1] || max + 1) - 1;
        row.appendChild(document.createTextNode(low === 0 ? "0" : (high > low ? low + "–" + high : String(low))));
      });
      return box;
    };
    return control;
  }

  function jumpButtons(map, layersByCode) {
    var jump = document.querySelector(".map-jump");
    if (!jump) { return; }
    jump.hidden = false;
    jump.addEventListener("click", function (event) {
      var code = event.target.dataset && event.target.dataset.zoom;
      if (!code) { return; }
      if (code === "metropole") { map.fitBounds(METROPOLE); return; }
      var layer = layersByCode[code];
      if (layer) { map.fitBounds(layer.getBounds()); }
    });
  }
})();
