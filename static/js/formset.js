// "Add another user": append a blank form of a Django formset from its <template>
// (the server-side fallback, without JavaScript, is the same button submitting the form).
(function () {
  "use strict";
  document.querySelectorAll("form[data-formset]").forEach(function (form) {
    var prefix = form.dataset.formset;
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var maxForms = parseInt((form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS") || {}).value || "1000", 10);
    var container = form.querySelector("[data-formset-forms]");
    var template = form.querySelector("template[data-formset-template]");
    var add = form.querySelector("[data-formset-add]");
    if (!total || !container || !template || !add) {
      return;
    }
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      if (index >= maxForms) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = container.lastElementChild;
      var first = added && added.querySelector("input, select");
      if (first) {
        first.focus();
      }
      if (index + 1 >= maxForms) {
        add.disabled = true;
      }
    });
  });
})();
