/* Where Leaflet's default marker images are. Leaflet guesses it from the URL of leaflet.css
   and the name "marker-icon.png"; with hashed static files (whitenoise's manifest, in
   production) neither matches, so it asked for "marker-icon.png" next to the page (a 404,
   a broken marker). The template gives the images' real static URLs, hashed or not, on this
   script's own tag: data-* attributes, since the Content-Security-Policy forbids inline
   script. Load it after leaflet.js and before the scripts that draw markers. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || typeof L === "undefined") { return; }
  var urls = script.dataset;
  if (!urls.iconUrl) { return; }
  // Leaflet prefixes imagePath to each URL below: empty, as they are complete already (a
  // string also stops Leaflet from guessing it).
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: urls.iconUrl,
    iconRetinaUrl: urls.iconRetinaUrl || urls.iconUrl,
    shadowUrl: urls.shadowUrl
  });
})();
