/* Progressive enhancements for every page; everything works without them. */
(function () {
  "use strict";
  // After a failed submit, move focus to the error summary so screen readers announce it and
  // keyboard users start from the list of problems (GOV.UK pattern).
  var summary = document.querySelector("[data-error-summary], .error-summary");
  if (summary) {
    summary.focus();
  }
  // A second click on a submit button while the first request runs would only queue a
  // duplicate (the server refuses it anyway): disable the button and say why.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-prevent-double-submit]").forEach(function (button) {
        window.setTimeout(function () {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        }, 0);
      });
    });
  });
})();
