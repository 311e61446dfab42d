/* The small map of one pole (its page): a `map:init` handler for the {% leaflet_map %} of
   templates/poles/pole_detail.html, which django-leaflet built with the site's tiles. It
   centres the map on the pole and marks it with Leaflet's default marker (whose images
   js/leaflet-icons.js locates under hashed static files). */
window.addEventListener("map:init", function (event) {
  "use strict";
  var map = event.detail.map;
  var element = map.getContainer();
  if (element.id !== "pole-map") { return; }
  var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
  map.scrollWheelZoom.disable();
  map.setView(point, 11);
  L.marker(point, { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
});
