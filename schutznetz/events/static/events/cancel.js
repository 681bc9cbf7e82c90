// The cancel button on a participant's manage page. Without this script it sends a POST
// without an answer, and the server shows the question page ("Möchten Sie … wirklich
// stornieren?"). With it, the browser asks right here and, on "OK", sends the answer along,
// so one click and one question cancel, as before. (Not core's data-confirm: that one asks,
// but cannot add the answer.)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-events-cancel");
    if (!question) { return; }
    if (!window.confirm(question)) { event.preventDefault(); return; }
    if (!form.querySelector('input[name="bestaetigung"]')) {
      var answer = document.createElement("input");
      answer.type = "hidden";
      answer.name = "bestaetigung";
      answer.value = "ja";
      form.appendChild(answer);
    }
  });
})();
