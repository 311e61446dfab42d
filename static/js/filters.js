/* On a narrow screen, fold the filter panel so that results come first (it stays open
   without JavaScript, and on wide screens). */
(function () {
  "use strict";
  var panel = document.querySelector(".filters-panel");
  if (panel && window.matchMedia("(max-width: 59.99rem)").matches) {
    panel.removeAttribute("open");
  }
})();
