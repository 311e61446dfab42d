/* A small map of one pole: Leaflet (bundled by django-leaflet), no inline script. */
(function () {
  "use strict";
  function draw() {
    var element = document.getElementById("pole-map");
    if (!element || typeof L === "undefined") { return; }
    var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = L.map(element, { scrollWheelZoom: false }).setView(point, 11);
    var tiles = element.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    L.marker(point, { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
