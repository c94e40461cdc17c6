// A form that failed: focus moves to its error summary, so a screen reader reads what went wrong
// and a keyboard user starts from there; each link in it focuses the field it names.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    // Bring the field's label into view with it, then put the caret in the field.
    var label = document.querySelector("label[for='" + target.id + "']") || target;
    label.scrollIntoView({block: "center"});
    target.focus({preventScroll: true});
  });
})();
