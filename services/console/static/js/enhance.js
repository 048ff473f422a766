// Small enhancements; every page works without them.
(function () {
  "use strict";

  // An error summary takes the focus, so a screen reader hears it and a phone scrolls to it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // "Select all" boxes for bulk actions: <input type="checkbox" data-select-all="name">.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.hidden = false;
    var label = document.querySelector("label[for='" + box.id + "']");
    if (label) { label.hidden = false; }
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });

  // Copy buttons: <button data-copy="#id"> copies the text of #id.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.querySelector(button.dataset.copy);
      if (!source) { return; }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied || "✓";
      });
    });
  });

  // A form sent once shows so: on a slow link a second press would only queue a resend.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type='submit']").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        if (b.dataset.sending) { b.textContent = b.dataset.sending; }
      });
    });
  });
})();
