// The visit form's findings (docs/rules.md §7). Without this script every item shows its
// finding fields and the "all the rest fine" button posts the form; with it:
// - an item's finding fields show only while the item is marked "problem found", and the
//   deadline only for "fix by a deadline";
// - "all the rest fine" marks the unchecked items fine in the page (autosave follows);
// - photos uploaded while the form is open can be chosen for a finding at once.
(function () {
  "use strict";

  function checkedValue(container, suffix) {
    var input = container.querySelector("input[type=radio][name$='_" + suffix + "']:checked");
    return input ? input.value : "";
  }

  function refreshArea(area) {
    var fields = area.querySelector("[data-finding-fields]");
    if (!fields) return;
    fields.hidden = checkedValue(area, "status") !== "problem";
    var deadline = fields.querySelector("[data-deadline-row]");
    if (deadline) deadline.hidden = checkedValue(fields, "deadline_kind") === "on_the_spot";
  }

  function refreshAll(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-area]"), refreshArea);
  }

  function markRestFine(form) {
    var changed = false;
    Array.prototype.forEach.call(form.querySelectorAll("[data-area]"), function (area) {
      var status = checkedValue(area, "status");
      if (status && status !== "not_checked") return;
      var fine = area.querySelector("input[type=radio][name$='_status'][value=fine]");
      if (fine) {
        fine.checked = true;
        changed = true;
      }
    });
    if (changed) form.dispatchEvent(new Event("change", { bubbles: true }));
    refreshAll(form);
  }

  function photoLabel(picker, id, src, alt) {
    var label = document.createElement("label");
    label.className = "choice photo-choice";
    label.setAttribute("data-attachment", id);
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = picker.getAttribute("data-photo-picker");
    box.value = id;
    var img = document.createElement("img");
    img.src = src;
    img.alt = alt || "";
    img.width = 64;
    img.className = "thumb-small";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(img);
    return label;
  }

  function syncPhotos(form) {
    var list = document.getElementById("attachment-list");
    if (!list) return;
    var photos = {};
    Array.prototype.forEach.call(list.querySelectorAll("li.attachment[id^='attachment-']"), function (item) {
      var img = item.querySelector("img.thumb");
      if (img) photos[item.id.replace("attachment-", "")] = img;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-photo-picker]"), function (picker) {
      Array.prototype.forEach.call(picker.querySelectorAll("[data-attachment]"), function (label) {
        if (!photos[label.getAttribute("data-attachment")]) label.remove();
      });
      Object.keys(photos).forEach(function (id) {
        if (!picker.querySelector("[data-attachment='" + id + "']")) {
          picker.appendChild(photoLabel(picker, id, photos[id].getAttribute("src"), photos[id].getAttribute("alt")));
        }
      });
      var empty = picker.parentNode.querySelector("[data-no-photos]");
      if (empty) empty.hidden = Object.keys(photos).length > 0;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("visit-form");
    if (!form) return;
    refreshAll(form);
    form.addEventListener("change", function () { refreshAll(form); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-all-fine]"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        markRestFine(form);
      });
    });
    var list = document.getElementById("attachment-list");
    if (list && window.MutationObserver) {
      new MutationObserver(function () { syncPhotos(form); }).observe(list, { childList: true, subtree: true });
    }
  });
})();
