// The search field of dudao/core/lookups.py: suggestions while typing (htmx asks the lookup
// endpoint), a pick fills the hidden id. Without this script the text is submitted as typed
// and the server resolves an exact code or name.
(function () {
  function box(el) { return el && el.closest ? el.closest("[data-lookup]") : null; }
  function parts(lookup) {
    return {
      text: lookup.querySelector("[data-lookup-text]"),
      value: lookup.querySelector("[data-lookup-value]"),
      results: lookup.querySelector(".lookup-results")
    };
  }
  function close(lookup) {
    var p = parts(lookup);
    p.results.textContent = "";
    p.text.setAttribute("aria-expanded", "false");
  }
  function changed(lookup) {
    var p = parts(lookup);
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
    var form = p.value.form;
    if (form && form.hasAttribute("data-lookup-autosubmit")) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }
  function pick(button) {
    var lookup = box(button);
    var p = parts(lookup);
    p.value.value = button.getAttribute("data-pk");
    p.text.value = button.getAttribute("data-label");
    close(lookup);
    p.text.focus();
    changed(lookup);
  }

  // The endpoint reads the text as ?q= (the box's own name is <field>_text).
  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    if (el && el.matches && el.matches("[data-lookup-text]")) {
      event.detail.parameters.q = el.value;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var lookup = box(event.target);
    if (lookup && event.target.classList.contains("lookup-results")) {
      parts(lookup).text.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
    }
  });
  // Typing is not a choice yet: the filter form hears of the field when a suggestion is
  // picked or the box is emptied, not at every blur with half a name in it.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target.matches && target.matches("[data-lookup-text]"))) return;
    event.stopPropagation();
    var lookup = box(target);
    if (!target.value.trim()) {
      parts(lookup).value.value = "";
      changed(lookup);
    }
  }, true);
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-lookup-text]")) {
      parts(box(target)).value.value = "";  // the id no longer matches the text
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-lookup-pick]");
    if (button) { pick(button); return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-lookup]"), function (lookup) {
      if (!lookup.contains(event.target)) close(lookup);
    });
  });
  document.addEventListener("keydown", function (event) {
    var lookup = box(event.target);
    if (!lookup) return;
    var p = parts(lookup);
    var options = Array.prototype.slice.call(p.results.querySelectorAll("[data-lookup-pick]"));
    var at = options.indexOf(event.target);
    if (event.key === "Escape") {
      close(lookup);
      p.text.focus();
    } else if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) p.text.focus(); else options[at - 1].focus();
    }
  });
})();
