// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    var nav = document.getElementById("nav");
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  var confirmEl = event.target.closest("[data-confirm]");
  if (confirmEl && !window.confirm(confirmEl.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
