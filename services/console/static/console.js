/* The console's few scripts, no framework: form checks in the page's language (blank text, a count
   towards the limit, phone numbers), the village list following the township, the intake form's
   suggestions and duplicate warning as the operator types, keyboard shortcuts, and early-warning
   alerts that appear on any open page. */
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

  // --- checks before a form leaves the page, in the page's language (the services check again) ---------
  var said = document.documentElement.dataset;
  var problem = function (field) {
    var value = field.value;
    if (field.required && value.length && !value.trim()) { return said.blank; }
    if (field.dataset.limit && value.length > Number(field.dataset.limit)) {
      return said.over.replace("{n}", value.length - Number(field.dataset.limit));
    }
    if (field.dataset.mismatch && field.validity.patternMismatch) { return field.dataset.mismatch; }
    return "";
  };
  var counted = function (field) {  // a visible count, never a silent cut
    var counter = document.createElement("output");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    return function () {
      var left = Number(field.dataset.limit) - field.value.length;
      counter.textContent = left >= 0 ? said.left.replace("{n}", left) : said.over.replace("{n}", -left);
      counter.classList.toggle("over", left < 0);
    };
  };
  Array.prototype.forEach.call(document.querySelectorAll("form textarea, form input"), function (field) {
    var count = field.dataset.limit ? counted(field) : function () {};
    var check = function () { field.setCustomValidity(problem(field)); count(); };
    field.addEventListener("input", check);
    check();
  });

  // --- the village list follows the township chosen ----------------------------------------------------
  var township = document.getElementById("township"), village = document.getElementById("village");
  if (township && village) {
    var groups = village.querySelectorAll("optgroup[data-township]");
    var follow = function () {
      Array.prototype.forEach.call(groups, function (group) {
        var shown = !township.value || group.dataset.township === township.value;
        group.hidden = group.disabled = !shown;
      });
      var chosen = village.selectedOptions[0];
      if (chosen && chosen.parentNode.disabled) { village.value = ""; }
    };
    township.addEventListener("change", follow);
    village.addEventListener("change", function () {  // a village chosen first names its township
      var group = village.selectedOptions[0] && village.selectedOptions[0].parentNode;
      if (group && group.dataset && group.dataset.township && township.value !== group.dataset.township) {
        township.value = group.dataset.township;
        follow();
      }
    });
    follow();
  }

  // --- the staff page: each place choice's village list follows its township filter (or a township unit) ---
  Array.prototype.forEach.call(document.querySelectorAll(".place-choice"), function (choice) {
    var unit = choice.querySelector("select[name=unit]"), filter = choice.querySelector(".township-filter");
    var villages = choice.querySelector(".village-choice");
    var follow = function () {
      Array.prototype.forEach.call(villages.querySelectorAll("optgroup[data-township]"), function (group) {
        var shown = !filter.value || group.dataset.township === filter.value;
        group.hidden = group.disabled = !shown;
      });
      var chosen = villages.selectedOptions[0];
      if (chosen && chosen.parentNode.disabled) { villages.value = ""; }
    };
    filter.addEventListener("change", follow);
    unit.addEventListener("change", function () {  // a township's own people: its villages first
      if (filter.querySelector("option[value='" + unit.value + "']")) { filter.value = unit.value; follow(); }
    });
    villages.addEventListener("change", function () {  // a village chosen first names its township
      var group = villages.selectedOptions[0] && villages.selectedOptions[0].parentNode;
      if (group && group.dataset && group.dataset.township) { filter.value = group.dataset.township; follow(); }
    });
    follow();
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
        // files go up with the report itself; a File is no JSON value (an empty one said "files": {})
        if (key.charAt(0) === "_" || value instanceof File || !String(value).trim()) { return; }
        var parts = key.split("."), target = body;
        while (parts.length > 1) { var p = parts.shift(); target = target[p] = target[p] || {}; }
        target[parts[0]] = value;
      });
      return body;
    };

    var preview = debounce(function () {
      var body = draft();
      if (!body.content) { suggestion.textContent = ""; warning.hidden = true; return; }
      fetch("/intake/preview", {method: "POST", headers: {"Content-Type": "application/json",
                                                         "X-Form-Token": form.elements._form_token.value},
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
