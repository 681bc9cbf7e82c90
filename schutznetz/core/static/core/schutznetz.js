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

// Warning before a staff session ends for inactivity (accounts/includes/session_timeout.html).
// A few minutes before the end it asks the server how long is left (another tab or an htmx
// request may have renewed the session), shows the dialog if the end is near, and renews the
// session on "Angemeldet bleiben". When the session has ended it replaces the page with the
// login page, so that case content does not stay on an unattended screen.
(function () {
  "use strict";
  var dialog = document.getElementById("sn-session");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var statusUrl = dialog.getAttribute("data-status-url");
  var loginUrl = dialog.getAttribute("data-login-url");
  var warning = parseInt(dialog.getAttribute("data-warning-seconds"), 10) * 1000;
  var endText = dialog.querySelector("[data-session-end]");
  var form = dialog.querySelector("[data-session-renew]");
  var timer = null;
  var endsAt = 0;

  function schedule(secondsLeft) {
    endsAt = Date.now() + secondsLeft * 1000;
    window.clearTimeout(timer);
    var untilWarning = endsAt - warning - Date.now();
    if (untilWarning > 0) {
      if (dialog.open) { dialog.close(); }
      timer = window.setTimeout(check, untilWarning);
    } else {
      warn();
      timer = window.setTimeout(check, Math.max(endsAt - Date.now(), 0) + 1000);
    }
  }

  function warn() {
    var end = new Date(endsAt);
    endText.textContent = end.toLocaleTimeString(document.documentElement.lang || "de", { hour: "2-digit", minute: "2-digit" });
    endText.setAttribute("datetime", end.toISOString());
    if (!dialog.open) { dialog.showModal(); }
  }

  function ended() {
    window.location.replace(loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function answer(response) {
    // A session that has ended is sent to the login page: a redirect, which "manual" keeps opaque.
    if (!response.ok) { throw new Error("session ended"); }
    return response.json().then(function (data) {
      if (data.seconds_left > 0) { schedule(data.seconds_left); } else { ended(); }
    });
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(answer)
      .catch(ended);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(statusUrl, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(answer)
      .catch(ended);
  });

  schedule(parseInt(dialog.getAttribute("data-seconds-left"), 10));
})();
