/* Place a pole's point on a small map: the leaders' space (templates/space/pole_form.html)
   and the admin (templates/admin/poles/pole/point_map.html) share this `map:init` handler.
   The latitude and longitude fields stay the source of truth and work without JavaScript:
   the map only appears when this script runs. Clicking the map or dragging the marker fills
   them in; typing in them moves the marker. The words come from the map's data-*. */
window.addEventListener("map:init", function (event) {
  "use strict";
  var map = event.detail.map;
  var element = map.getContainer();
  if (element.id !== "pole-point-map") { return; }
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!latitude || !longitude) { return; }
  var label = element.dataset.label || "";
  var marker = null;
  element.hidden = false;
  map.invalidateSize();  // the map was built while hidden, at no size
  map.scrollWheelZoom.disable();

  function fill(at) {
    latitude.value = at.lat.toFixed(6);
    longitude.value = at.lng.toFixed(6);
  }
  function place(at) {
    if (marker) { marker.setLatLng(at); return; }
    marker = L.marker(at, { draggable: true, title: label, alt: label }).addTo(map);
    marker.on("dragend", function () { fill(marker.getLatLng()); });
  }
  function fromInputs() {
    var lat = parseFloat(String(latitude.value).replace(",", "."));
    var lon = parseFloat(String(longitude.value).replace(",", "."));
    if (!isNaN(lat) && !isNaN(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      place(L.latLng(lat, lon));
      map.setView([lat, lon], Math.max(map.getZoom(), 11));
    }
  }
  map.on("click", function (click) { place(click.latlng); fill(click.latlng); });
  latitude.addEventListener("change", fromInputs);
  longitude.addEventListener("change", fromInputs);
  fromInputs();
});
