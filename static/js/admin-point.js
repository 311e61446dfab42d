/* Admin: place a pole's point on a small map. The latitude and longitude fields stay the
   source of truth; dragging the marker or clicking the map fills them in. */
(function () {
  "use strict";
  function setUp() {
    var element = document.getElementById("pole-point-map");
    if (!element || typeof L === "undefined") { return; }
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!latitude || !longitude) { return; }
    var map = L.map(element).setView([46.6, 2.4], 5);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution }).addTo(map);
    }
    var marker = null;
    function place(lat, lon, fill) {
      var point = [lat, lon];
      if (!marker) {
        marker = L.circleMarker(point, { radius: 8, color: "#fff", weight: 2, fillColor: "#c9191e", fillOpacity: 1 }).addTo(map);
      } else {
        marker.setLatLng(point);
      }
      if (fill) {
        latitude.value = lat.toFixed(6);
        longitude.value = lon.toFixed(6);
      }
    }
    function fromInputs() {
      var lat = parseFloat(latitude.value), lon = parseFloat(longitude.value);
      if (!isNaN(lat) && !isNaN(lon)) { place(lat, lon, false); map.setView([lat, lon], 12); }
    }
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, true); });
    latitude.addEventListener("change", fromInputs);
    longitude.addEventListener("change", fromInputs);
    fromInputs();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
