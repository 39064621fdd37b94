/* Photos and documents on a form (templates/uploads.html): files dropped anywhere on the form join the ones
   chosen, and the names of everything that will be sent are listed. The services check every file again. */
(function () {
  "use strict";

  function filesOf(zone) {
    return Array.prototype.slice.call(zone.querySelectorAll("input[type=file]"));
  }

  function list(zone) {  // what leaves with the form, by name
    var shown = zone.querySelector(".chosen");
    shown.textContent = "";
    filesOf(zone).forEach(function (input) {
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name;
        shown.appendChild(item);
      });
    });
  }

  function add(input, dropped) {  // a file input's list is replaced whole: the chosen ones and the dropped
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (f) { all.items.add(f); });
    Array.prototype.forEach.call(dropped, function (f) { all.items.add(f); });
    input.files = all.files;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-files]"), function (zone) {
    var form = zone.closest("form"), target = filesOf(zone)[0];
    filesOf(zone).forEach(function (input) { input.addEventListener("change", function () { list(zone); }); });
    if (!form || !target || zone.dataset.files === "chosen-only" || typeof DataTransfer === "undefined") { return; }
    var carriesFiles = function (event) {
      return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
    };
    form.addEventListener("dragover", function (event) {
      if (!carriesFiles(event)) { return; }
      event.preventDefault();  // or the browser opens the file instead of handing it to the form
      event.dataTransfer.dropEffect = "copy";
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", function (event) {
      if (!form.contains(event.relatedTarget)) { form.classList.remove("dropping"); }
    });
    form.addEventListener("drop", function (event) {
      form.classList.remove("dropping");
      if (!carriesFiles(event)) { return; }
      event.preventDefault();
      add(target, event.dataTransfer.files);
      list(zone);
    });
  });
})();
