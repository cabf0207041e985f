// Visit form enhancements. The form works without any of this (plain POST); with it:
// - every entry is kept in localStorage, so a dropped connection or a closed tab loses
//   nothing: the form is restored on reload and cleared once the visit is submitted;
// - files picked on the form are uploaded one by one as soon as they are chosen.
(function () {
  "use strict";
  var PREFIX = "dudao-visit:";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000;

  function storage() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null;
    }
  }

  function read(store, key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  // Remove stored drafts with this client UUID, except `keepKey`.
  function forget(store, uuid, keepKey) {
    var doomed = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0 && key !== keepKey) {
        var data = read(store, key);
        if (!data || data.client_uuid === uuid || Date.now() - (data.saved || 0) > MAX_AGE_MS) {
          doomed.push(key);
        }
      }
    }
    doomed.forEach(function (key) { store.removeItem(key); });
  }

  function serialise(form) {
    var data = { saved: Date.now(), fields: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") {
        data.fields[el.name] = data.fields[el.name] || [];
        if (el.checked) data.fields[el.name].push(el.value);
        if (el.type === "checkbox" && el.value === "on") data.fields[el.name] = el.checked ? ["on"] : [];
      } else {
        data.fields[el.name] = el.value;
      }
    });
    data.client_uuid = data.fields.client_uuid;
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      if (!(el.name in data.fields)) return;
      var value = data.fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = value.indexOf(el.value) !== -1;
      } else {
        el.value = value;
      }
    });
  }

  function visitIdFrom(html) {
    var match = /data-visit="(\d+)"/.exec(html || "");
    return match ? match[1] : null;
  }

  function setupForm(form) {
    var store = storage();
    var key = form.getAttribute("data-storage-key");
    var uuidInput = form.querySelector("input[name=client_uuid]");
    var hasErrors = !!form.querySelector(".errorlist");
    if (store && key) {
      var saved = read(store, key);
      var fresh = saved && Date.now() - (saved.saved || 0) < MAX_AGE_MS;
      var sameVisit = saved && (key.indexOf(":new:") !== -1 || saved.client_uuid === uuidInput.value);
      if (fresh && sameVisit && !hasErrors) {
        restore(form, saved);
        var note = document.getElementById("autosave-status");
        if (note && form.getAttribute("data-restored-text")) note.textContent = form.getAttribute("data-restored-text");
        // Let htmx send the restored entries to the server as a draft.
        setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 50);
      }
      forget(store, uuidInput.value, key);
      var timer = null;
      var keep = function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          try { store.setItem(key, JSON.stringify(serialise(form))); } catch (e) { /* full */ }
        }, 400);
      };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
    }

    // The autosave answer names the draft: remember where to upload files.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "autosave-status") {
        var id = visitIdFrom(event.target.innerHTML);
        if (id && !form.getAttribute("data-upload-url")) {
          form.setAttribute("data-upload-url", form.getAttribute("data-upload-url-template").replace("/0/", "/" + id + "/"));
        }
      }
    });

    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      input.addEventListener("change", function (event) {
        event.stopPropagation(); // not an autosave: the files go up one by one below
        if (!window.fetch || !window.FormData) return; // the plain POST carries them
        uploadAll(form, input);
      });
    });
  }

  function headers(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return { "X-CSRFToken": token ? token.value : "", "HX-Request": "true" };
  }

  function ensureDraft(form) {
    var url = form.getAttribute("data-upload-url");
    if (url) return Promise.resolve(url);
    var body = new FormData(form);
    body.delete("files");
    return fetch(form.getAttribute("data-autosave-url"), {
      method: "POST", body: body, headers: headers(form), credentials: "same-origin"
    }).then(function (r) { return r.text(); }).then(function (html) {
      var status = document.getElementById("autosave-status");
      if (status) status.innerHTML = html;
      var id = visitIdFrom(html);
      if (!id) throw new Error("draft not saved");
      url = form.getAttribute("data-upload-url-template").replace("/0/", "/" + id + "/");
      form.setAttribute("data-upload-url", url);
      return url;
    });
  }

  function uploadAll(form, input) {
    var files = Array.prototype.slice.call(input.files || []);
    var list = document.getElementById("attachment-list");
    if (!files.length || !list) return;
    ensureDraft(form).then(function (url) {
      input.value = ""; // handled here, not again by the final POST
      return files.reduce(function (chain, file) {
        return chain.then(function () {
          var body = new FormData();
          body.append("file", file, file.name);
          var pending = document.createElement("li");
          pending.className = "attachment muted";
          pending.textContent = file.name + " …";
          list.appendChild(pending);
          return fetch(url, { method: "POST", body: body, headers: headers(form), credentials: "same-origin" })
            .then(function (r) { return r.text(); })
            .then(function (html) {
              var holder = document.createElement("ul");
              holder.innerHTML = html.trim();
              var item = holder.firstElementChild;
              if (item) {
                list.replaceChild(item, pending);
                if (window.htmx) window.htmx.process(item);
              } else {
                list.removeChild(pending);
              }
            })
            .catch(function () { pending.className = "attachment upload-error"; });
        });
      }, Promise.resolve());
    }).catch(function () { /* offline: the files stay selected for the plain POST */ });
  }

  function setupUploadForm(form) {
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) {
        form.reset();
        var empty = document.getElementById("no-attachments");
        if (empty) empty.remove();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    var submitted = document.querySelector("[data-visit-submitted]");
    if (store && submitted) forget(store, submitted.getAttribute("data-visit-submitted"), null);
    var form = document.getElementById("visit-form");
    if (form) setupForm(form);
    Array.prototype.forEach.call(document.querySelectorAll("[data-upload-form]"), setupUploadForm);
  });
})();
