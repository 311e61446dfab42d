/* The filter panel is folded on narrow screens and shown unfolded on wide ones by the
   stylesheet alone, before the page is first drawn (static/css/site.css): this script moves
   nothing. On wide screens it marks the panel open, so that its title reads "expanded" to
   assistive technologies; in browsers without ::details-content, that is what unfolds it. */
(function () {
  "use strict";
  var panel = document.querySelector(".filters-panel");
  var wide = window.matchMedia("(min-width: 60rem)");
  if (!panel) {
    return;
  }
  var title = panel.querySelector("summary");
  function follow() {
    if (wide.matches) {
      panel.open = true;
      title.tabIndex = -1; // always unfolded there: no toggle to reach
    } else {
      title.removeAttribute("tabindex");
    }
  }
  follow();
  wide.addEventListener("change", follow);
})();
