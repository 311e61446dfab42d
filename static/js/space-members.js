/* Leaders' space, members page: suggestions of existing organisations while typing.
   Progressive enhancement: each "Organisation existante" input has a <datalist>; this fills it
   from /espace/organisations/recherche/?q= (JSON). Without JavaScript, the exact name or the
   SIREN typed in the input works the same. */
(function () {
  "use strict";
  function setUp() {
    var form = document.querySelector("form[data-search-url]");
    if (!form || !window.fetch) { return; }
    var url = form.getAttribute("data-search-url");
    var inputs = form.querySelectorAll("input.organisation-lookup");
    Array.prototype.forEach.call(inputs, function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      var status = document.getElementById(input.id + "-status");
      var timer = null, last = "", controller = null;
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { suggest(input.value.trim()); }, 200);
      });
      function suggest(query) {
        if (query.length < 2 || query === last || /\)$/.test(query)) { return; }
        last = query;
        if (controller) { controller.abort(); }
        controller = window.AbortController ? new AbortController() : null;
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { "Accept": "application/json" },
          signal: controller ? controller.signal : undefined
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.value;
            option.label = [item.kind, item.commune].filter(Boolean).join(" · ");
            list.appendChild(option);
          });
          if (status) {
            status.textContent = data.results.length === 0 ? (form.dataset.none || "")
              : (form.dataset.some || "{count}").replace("{count}", String(data.results.length));
          }
        }).catch(function () { /* offline or aborted: the typed text still works */ });
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
