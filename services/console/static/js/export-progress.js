// Follows a CSV export while it is written: asks for its status every 2 seconds and moves
// the bar; when the export ends, the page is loaded again and shows the download link (or
// what went wrong). Without this script the page's "Perbarui" link does the same by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("[data-export-bar]");
  var text = box.querySelector("[data-export-text]");
  var label = box.querySelector("[data-export-label]");
  var failures = 0;
  var timer = window.setInterval(poll, 2000);

  function poll() {
    fetch(box.dataset.exportStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.json();
      })
      .then(function (job) {
        failures = 0;
        if (bar) { bar.value = job.percent; bar.textContent = job.percent_text; }
        if (text) { text.textContent = job.summary; }
        if (label) { label.textContent = job.label; }
        if (!job.active) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {
        // A lost answer on a weak link: the next tick asks again. After a minute of
        // failures (signed out, the export gone) the "Perbarui" link is left to the person.
        failures += 1;
        if (failures >= 30) { window.clearInterval(timer); }
      });
  }
})();
