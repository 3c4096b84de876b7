// Progressive enhancement only: every control is a real form that works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The print button of a summary (templates/print/_base.html); inline handlers are refused by the CSP.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // Show the note field of a status form only when the chosen status asks for one (a reason, or the
  // completion note), and the postponement month only for a postponement. The fields are hidden with
  // `visibility` (class "collapsed"), not removed, in a row: columns must not jump when they open.
  var NEEDS_NOTE = { postponed: true, cancelled: true, done: true };
  function syncStatusForm(form) {
    var select = form.querySelector("[data-status-select]");
    var extra = form.querySelector("[data-status-extra]");
    if (!select || !extra) return;
    var hasError = extra.querySelector(".field-error") !== null || extra.querySelector("input").value !== "";
    extra.hidden = !(NEEDS_NOTE[select.value] || hasError);
    var postpone = extra.querySelector("[data-postpone-fields]");
    if (postpone) {
      var month = postpone.querySelector("select[name=month]");
      postpone.hidden = select.value !== "postponed" && !(month && month.value);
    }
  }
  function syncAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-status-form]").forEach(syncStatusForm);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-status-form]");
    if (form) {
      syncStatusForm(form);
      if (NEEDS_NOTE[event.target.value]) {
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
  // Keyed by target id: the counters refresh triggered by the same answer swaps in between.
  var CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea";
  var refocus = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    if (!target || !target.id || !active || active.id || !target.contains(active)) return;
    refocus[target.id] = Array.prototype.indexOf.call(target.querySelectorAll(CONTROLS), active);
  });
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(refocus).forEach(function (id) {
      var target = document.getElementById(id), index = refocus[id];
      if (!target) return;  // not swapped in yet
      delete refocus[id];
      if (document.activeElement && document.activeElement !== document.body) return;
      var control = target.querySelectorAll(CONTROLS)[index];
      if (!control || control.offsetParent === null) control = target.querySelector("button[type=submit]");
      if (control) control.focus();
    });
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
    var xhr = event.detail.xhr;
    if (xhr && (xhr.getResponseHeader("HX-Trigger") || "").indexOf("request-error") !== -1) return;
    var status = xhr ? xhr.status : 0;
    showRequestError(status === 403 || status === 404 ? "forbidden" : "serverError");
  });
  // The server names the problem itself (HX-Trigger "request-error") where it can, e.g. an expired form.
  document.body.addEventListener("request-error", function (event) {
    var box = document.getElementById("request-error");
    if (!box || !event.detail || !event.detail.message) return;
    box.textContent = event.detail.message;
    box.hidden = false;
  });
  document.addEventListener("htmx:sendError", function () { showRequestError("networkError"); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
})();
