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
  // "Add New Dependent" comes back to #dependent-N: focus its first field and say it was added.
  var match = /^#(dependent-\d+)$/.exec(window.location.hash);
  var added = match && new URLSearchParams(window.location.search).get("add") && document.getElementById(match[1]);
  var live = document.querySelector("[data-dependent-announcement]");
  if (added && !document.querySelector("[data-error-summary]")) {
    var first = added.querySelector("input:not([type='hidden']), select, textarea");
    if (first) {
      // After load: the browser's own move to #dependent-N (a fieldset, not focusable) would
      // otherwise take the focus back to the page.
      window.addEventListener("load", function () {
        window.setTimeout(function () { first.focus(); }, 0);
      });
    }
    if (live) {
      // Written after load, so the live region (already in the page) announces the change.
      window.setTimeout(function () {
        live.textContent = added.querySelector("legend").textContent + " added. Enter their details.";
      }, 300);
    }
  }
})();
