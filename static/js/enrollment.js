// New Enrollment and Track Requests: progressive enhancement only (every page works without it).
(function () {
  "use strict";
  // Print button on a request's print view (no inline handlers: the CSP forbids them).
  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Dependents: the "other medical coverage" questions only matter when coverage is not elected.
  document.querySelectorAll("fieldset[data-testid='dependent']").forEach(function (fieldset) {
    var radios = fieldset.querySelectorAll("input[name$='-elect_coverage']");
    var other = fieldset.querySelectorAll("[id$='has_other_coverage'], [id*='other_carrier'], [id*='other_policy_number']");
    function sync() {
      var elected = fieldset.querySelector("input[name$='-elect_coverage'][value='yes']:checked") !== null;
      other.forEach(function (el) {
        var wrapper = el.closest(".mb-3") || el;
        wrapper.hidden = elected;
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  });
})();
