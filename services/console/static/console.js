/* The console's few scripts, no framework: the intake form's suggestions and duplicate warning as the
   operator types, keyboard shortcuts, and early-warning alerts that appear on any open page. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // --- printing (a button, not an inline handler: the console's policy runs no inline script) ---------
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- the intake form -------------------------------------------------------------------------------
  var form = document.getElementById("intake-form");
  if (form) {
    var suggestion = document.getElementById("category-suggestion");
    var warning = document.getElementById("duplicate-warning");
    var categoryNames = {};
    Array.prototype.forEach.call(document.querySelectorAll("#category option"), function (o) {
      categoryNames[o.value] = o.textContent;
    });

    var draft = function () {  // the form as intake's JSON body, as the server would send it
      var body = {};
      new FormData(form).forEach(function (value, key) {
        if (key.charAt(0) === "_" || !String(value).trim()) { return; }
        var parts = key.split("."), target = body;
        while (parts.length > 1) { var p = parts.shift(); target = target[p] = target[p] || {}; }
        target[parts[0]] = value;
      });
      return body;
    };

    var preview = debounce(function () {
      var body = draft();
      if (!body.content) { suggestion.textContent = ""; warning.hidden = true; return; }
      fetch("/intake/preview", {method: "POST", headers: {"Content-Type": "application/json"},
                                 body: JSON.stringify(body), credentials: "same-origin"})
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (found) {
          if (!found) { return; }  // an incomplete form: the services say what is wrong on submit
          suggestion.textContent = found.category_suggested ?
            suggestion.dataset.label + " " + (categoryNames[found.category] || found.category) : "";
          suggestion.dataset.category = found.category;
          var original = found.duplicate_of;
          warning.hidden = !original;
          if (original) {
            warning.textContent = warning.dataset.text + " " + original.report_id +
              (original.case_id ? " (" + warning.dataset.case + " " + original.case_id + ")" : "");
          }
        })
        .catch(function () { /* the form still submits; intake checks everything then */ });
    }, 300);

    form.addEventListener("input", preview);
    form.addEventListener("change", preview);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
    });
    if (document.getElementById("content").value) { preview(); }
  }

  // --- live early-warning alerts -----------------------------------------------------------------------
  var live = document.getElementById("live-alerts");
  if (live) {
    // new means raised after the server rendered this page (both times are the servers' own clocks)
    var seen = {}, opened = Number(live.dataset.opened), table = document.querySelector("#alerts tbody");
    var poll = function () {
      fetch("/alerts/latest", {credentials: "same-origin"})
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (found) {
          if (!found) { return; }
          var fresh = found.alerts.filter(function (a) { return a.raised_ms > opened && !seen[a.alert_id]; });
          fresh.forEach(function (a) { seen[a.alert_id] = true; });
          fresh.reverse().forEach(show);
        })
        .catch(function () {});
    };
    var show = function (alert) {
      var note = document.createElement("div");
      note.className = "alert";
      note.setAttribute("data-alert", alert.alert_id);
      var title = document.createElement("strong");
      title.textContent = live.dataset.title;
      note.appendChild(title);
      note.appendChild(document.createElement("br"));
      note.appendChild(document.createTextNode(alert.message));
      live.appendChild(note);
      setTimeout(function () { note.remove(); }, 60000);
      if (table) {  // the row comes rendered (and escaped) by the console, in the page's language
        table.insertAdjacentHTML("afterbegin", alert.row);
        var empty = table.querySelector("tr.empty");
        if (empty) { empty.remove(); }
      }
    };
    poll();
    setInterval(poll, 1000 * Number(live.dataset.poll || 5));
  }
})();
