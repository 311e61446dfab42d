/* Builds the maps that {% leaflet_map %} declared, with django-leaflet's own L.Map.djangoMap,
   which fires `map:init` for the pages' handlers. Our templates/leaflet/_leaflet_map.html
   puts the tag's options in data-djoptions instead of an inline script (the site's CSP allows
   no inline script). A map whose <div> has `data-map-lazy` is only built when it comes near
   the viewport: the small maps below the fold cost nothing to a visitor who never scrolls
   to them (Lighthouse counted their drawing as blocking time). */
(function () {
  "use strict";
  if (typeof L === "undefined" || !L.Map.djangoMap) { return; }

  function build(element, node) {
    var callback = node.dataset.callback ? window[node.dataset.callback] : null;
    L.Map.djangoMap(element.id, {
      djoptions: JSON.parse(node.dataset.djoptions),
      globals: false,
      callback: typeof callback === "function" ? callback : null
    });
  }

  function start() {
    var lazy = [];
    document.querySelectorAll("[data-leaflet-map]").forEach(function (node) {
      var element = node.tagName === "TEMPLATE" ? document.getElementById(node.dataset.leafletMap) : node;
      if (!element) { return; }
      if (element.hasAttribute("data-map-lazy") && "IntersectionObserver" in window) {
        lazy.push([element, node]);
      } else {
        build(element, node);
      }
    });
    if (!lazy.length) { return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        observer.unobserve(entry.target);
        lazy.forEach(function (pair) { if (pair[0] === entry.target) { build(pair[0], pair[1]); } });
      });
    }, { rootMargin: "200px 0px" });
    lazy.forEach(function (pair) { observer.observe(pair[0]); });
  }

  // Deferred scripts run before DOMContentLoaded: waiting for it lets every page script that
  // comes after this one register its `map:init` handler first.
  if (document.readyState === "complete") { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
