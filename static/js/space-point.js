/* Leaders' space: place the pole's point on a small map (Leaflet, bundled by django-leaflet).
   The latitude and longitude fields stay the source of truth and work without JavaScript;
   the map only appears when the script runs. Clicking the map or dragging the marker fills
   them in; typing in them moves the marker. No inline script: settings come from data-*. */
(function () {
  "use strict";
  function setUp() {
    var element = document.getElementById("pole-point-map");
    if (!element || typeof L === "undefined") { return; }
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!latitude || !longitude) { return; }
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var marker = null;
    function fill(lat, lon) {
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
    }
    function place(lat, lon) {
      var point = [lat, lon];
      if (!marker) {
        marker = L.marker(point, { draggable: true, title: element.dataset.label || "", alt: element.dataset.label || "", keyboard: true }).addTo(map);
        marker.on("dragend", function () { var at = marker.getLatLng(); fill(at.lat, at.lng); });
      } else {
        marker.setLatLng(point);
      }
    }
    function fromInputs() {
      var lat = parseFloat(String(latitude.value).replace(",", "."));
      var lon = parseFloat(String(longitude.value).replace(",", "."));
      if (!isNaN(lat) && !isNaN(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place(lat, lon);
        map.setView([lat, lon], Math.max(map.getZoom(), 11));
      }
    }
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng);
      fill(event.latlng.lat, event.latlng.lng);
    });
    latitude.addEventListener("change", fromInputs);
    longitude.addEventListener("change", fromInputs);
    fromInputs();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
