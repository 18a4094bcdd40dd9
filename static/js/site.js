// Public pages: the targets filter. Its controls always show what the URL says, and a
// filtered URL carries only the criteria in use. (No inline scripts: the CSP forbids them.)
(function () {
  "use strict";

  function filterForm() {
    return document.querySelector("form.filters");
  }

  // Back and Forward restore the results from htmx's history cache, with the filter
  // controls as they were first rendered: set them from the URL instead.
  function syncFilters() {
    var form = filterForm();
    if (!form) return;
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "hidden") return;
      var value = params.get(field.name);
      if (field.type === "checkbox") {
        field.checked = value !== null && value !== "" && value.toLowerCase() !== "false";
      } else {
        field.value = value || "";
        if (field.tagName === "SELECT" && field.selectedIndex < 0) field.value = "";
      }
    });
  }

  document.addEventListener("htmx:historyRestore", syncFilters);
  window.addEventListener("popstate", function () {
    window.setTimeout(syncFilters, 0);
  });
  window.addEventListener("pageshow", syncFilters);

  // Leave empty criteria out of the request, hence out of the URL pushed to the history.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = filterForm();
    if (!form || event.detail.elt !== form) return;
    var params = event.detail.parameters;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && params[field.name] === "") delete params[field.name];
    });
  });

  // Another page of results: start reading at the top of the list, with the focus there
  // (the link that was followed is gone).
  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail.requestConfig;
    var from = config && config.elt;
    if (!from || !from.closest || !from.closest(".pagination")) return;
    var results = document.getElementById("target-results");
    if (!results) return;
    var count = results.querySelector(".result-count");
    (count || results).focus({ preventScroll: true });
    results.scrollIntoView({ block: "start" });
  });
})();
