// Quick exit: the button is a plain link to /exit/ and works without this script.
// Here it also leaves when Shift alone is pressed three times within five seconds, and
// uses location.replace so the page does not stay in the back history.
(function () {
  "use strict";
  var exitUrl = document.body.getAttribute("data-exit-url") || "/exit/";
  var presses = [];
  function leave(event) {
    if (event) { event.preventDefault(); }
    window.location.replace(exitUrl);
  }
  document.addEventListener("keydown", function (event) {
    // Any other key starts the count anew: capital letters are typed with Shift, and
    // "Frauenhaus Soest Hilfe" must not throw a person out of her search.
    if (event.key !== "Shift") { presses = []; return; }
    if (event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; });
    presses.push(now);
    if (presses.length >= 3) { presses = []; leave(); }
  });
  document.querySelectorAll("[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", leave);
  });
  // Confirmation prompts without inline handlers (CSP forbids them).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
