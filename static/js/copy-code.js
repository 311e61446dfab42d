/* "Copier le code" buttons (the embed code of /carte/ and the directory): shown only with
   JavaScript (without it, the readonly textarea is there to select and copy). A <button>, so
   the keyboard reaches it and Enter or Space presses it; the result is said in a status. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[role=status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var done = function () { status.textContent = button.dataset.copied; };
      var failed = function () { status.textContent = button.dataset.failed; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        try { if (document.execCommand("copy")) { done(); } else { failed(); } } catch (e) { failed(); }
      }
    });
  });
})();
