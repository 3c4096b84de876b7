// Progressive enhancement only: every control is a real form that works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Show the reason and month fields of a status form only when the chosen status needs them.
  var NEEDS_EXTRA = { postponed: true, cancelled: true };
  function syncStatusForm(form) {
    var select = form.querySelector("[data-status-select]");
    var extra = form.querySelector("[data-status-extra]");
    if (!select || !extra) return;
    var hasError = extra.querySelector(".field-error") !== null || extra.querySelector("input").value !== "";
    extra.hidden = !(NEEDS_EXTRA[select.value] || hasError);
    var month = extra.querySelector("select[name=month]");
    if (month) {
      month.hidden = select.value !== "postponed" && month.value === "";
      var monthLabel = extra.querySelector("label[for='" + month.id + "']");
      if (monthLabel) monthLabel.hidden = month.hidden;
    }
  }
  function syncAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-status-form]").forEach(syncStatusForm);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-status-form]");
    if (form) {
      syncStatusForm(form);
      if (NEEDS_EXTRA[event.target.value]) {
        var note = form.querySelector("input[name=note]");
        if (note) note.focus();
      }
    }
  });
  document.addEventListener("DOMContentLoaded", function () { syncAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { syncAll(event.target); });

  // htmx puts focus back only on an element with an id; the "更新" button of a swapped row has
  // none, so a keyboard user would be dropped to the top of the page after every update.
  // Remember the focused control's position inside the swap target and focus its replacement.
  var CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea";
  var refocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    refocus = null;
    if (!target || !target.id || !active || active.id || !target.contains(active)) return;
    refocus = { id: target.id, index: Array.prototype.indexOf.call(target.querySelectorAll(CONTROLS), active) };
  });
  document.addEventListener("htmx:afterSettle", function () {
    var wanted = refocus;
    refocus = null;
    if (!wanted || (document.activeElement && document.activeElement !== document.body)) return;
    var target = document.getElementById(wanted.id);
    if (!target) return;
    var controls = target.querySelectorAll(CONTROLS);
    var control = controls[wanted.index];
    if (!control || control.offsetParent === null) control = target.querySelector("button[type=submit]");
    if (control) control.focus();
  });

  // Answers htmx does not swap (403, 404, 5xx, no network): say so instead of failing silently.
  function showRequestError(kind) {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = box.dataset[kind] || box.dataset.serverError;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showRequestError(status === 403 || status === 404 ? "forbidden" : "serverError");
  });
  document.addEventListener("htmx:sendError", function () { showRequestError("networkError"); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
})();
