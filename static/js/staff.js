// Staff pages: tell the user when an htmx request did not go through (their input stays in
// the form), and move focus to what a swap brought in (the first invalid field, or the message).
(function () {
  "use strict";

  function staffRoot() {
    return document.querySelector(".staff");
  }

  function showAlert(text) {
    var box = document.getElementById("staff-alert");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function hideAlert() {
    var box = document.getElementById("staff-alert");
    if (box) box.hidden = true;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var root = staffRoot();
    if (!root) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var key = "msgError";
    if (status === 401) key = "msgAuth";
    else if (status === 403 && event.detail.xhr.getResponseHeader("X-CSRF-Failure")) {
      // The CSRF cookie is gone (cleared, or the session ended): load a staff page in the
      // background, which sets a fresh one; the next submit of the kept form goes through
      // (or, signed out, is answered 401 and says so).
      key = "msgSession";
      fetch(window.location.pathname, { credentials: "same-origin" });
    } else if (status === 403) key = "msgForbidden";
    else if (status === 404) key = "msgMissing";
    showAlert(root.dataset[key] || root.dataset.msgError);
  });

  document.addEventListener("htmx:sendError", function () {
    var root = staffRoot();
    if (root) showAlert(root.dataset.msgNetwork);
  });

  document.addEventListener("htmx:beforeRequest", hideAlert);

  // Signing in again (in another tab, after the session ended) gives a new CSRF token in
  // the cookie; send that one, so that resubmitting the form kept on this page goes through.
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    var data = event.detail.formData;
    if (data && data.has("csrfmiddlewaretoken")) data.set("csrfmiddlewaretoken", token);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.elt;
    if (!swapped || !swapped.querySelector) return;
    var invalid = swapped.querySelector("[aria-invalid='true']");
    var message = swapped.querySelector(".row-message");
    var focusable = invalid || message;
    if (focusable && document.contains(focusable)) focusable.focus();
  });
})();
