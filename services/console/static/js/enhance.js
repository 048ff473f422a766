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

  // "Add another": blocks marked data-repeat stay hidden while empty, and a button shows
  // the next one. Without the script every block is there to fill.
  document.querySelectorAll("[data-add-repeat]").forEach(function (button) {
    var blocks = Array.prototype.slice.call(
      button.parentNode.querySelectorAll("[data-repeat]"));
    var filled = function (block) {
      return Array.prototype.some.call(block.querySelectorAll("input[type='text'], input:not([type])"),
        function (input) { return input.value.trim() !== ""; }) ||
        block.querySelector(".field-error") !== null;
    };
    var hidden = blocks.filter(function (block) { return !filled(block); });
    hidden.forEach(function (block) { block.hidden = true; });
    button.hidden = hidden.length === 0;
    button.addEventListener("click", function () {
      var block = hidden.shift();
      if (!block) { return; }
      block.hidden = false;
      var first = block.querySelector("input");
      if (first) { first.focus(); }
      button.hidden = hidden.length === 0;
    });
  });

  // Boxes that belong to one choice of a radio group: shown only while it is chosen.
  document.querySelectorAll("[data-reveal-for]").forEach(function (box) {
    var radios = document.querySelectorAll("input[name='" + box.dataset.revealFor + "']");
    var update = function () {
      var chosen = document.querySelector("input[name='" + box.dataset.revealFor + "']:checked");
      box.hidden = !!chosen && chosen.value !== box.dataset.revealValue &&
        box.querySelector(".field-error") === null;
    };
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
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
