// Django admin widgets, given the names assistive technology needs (axe-core finds them
// unnamed otherwise): select2 comboboxes take their field's label; the search icons of
// two-list selects become images, the only role their aria-label is allowed on.
(function () {
  "use strict";

  function nameWidgets() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      var label = document.querySelector("label[for='" + select.id + "']");
      var container = select.nextElementSibling;
      if (!label || !container || !container.classList.contains("select2-container")) return;
      if (!label.id) label.id = select.id + "-label";
      var box = container.querySelector("[role=combobox]");
      if (!box) return;
      var shown = box.querySelector(".select2-selection__rendered");
      box.setAttribute("aria-labelledby", label.id + (shown && shown.id ? " " + shown.id : ""));
      // Its read-only "textbox" shows the choice: the field's label, then the choice.
      if (shown && shown.id) shown.setAttribute("aria-labelledby", label.id + " " + shown.id);
    });
    document.querySelectorAll("span.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  window.addEventListener("load", function () {
    window.setTimeout(nameWidgets, 0); // after the admin's own load handlers build the widgets
  });
  document.addEventListener("formset:added", function () {
    window.setTimeout(nameWidgets, 0);
  });
})();
