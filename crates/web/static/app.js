// Small enhancements only: every page works without this file.
"use strict";
(function () {
  var exit = document.getElementById("quick-exit");

  // Quick exit: sign out in the background, then replace this page with a
  // neutral site. location.replace leaves no history entry for the page we
  // are leaving, so Back does not return to it.
  function leaveNow(event) {
    if (event) { event.preventDefault(); }
    var target = (exit && exit.getAttribute("data-exit-url")) || "about:blank";
    try {
      fetch("/exit", { method: "POST", keepalive: true, credentials: "same-origin" });
    } catch (e) { /* leaving matters more than signing out */ }
    document.body.innerHTML = "";
    document.title = "";
    window.location.replace(target);
  }

  if (exit) { exit.addEventListener("click", leaveNow); }

  // Escape twice within a second also leaves.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { leaveNow(event); }
    lastEscape = now;
  });

  // "Copy link" buttons, shown only where the clipboard can be used.
  var copyButtons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(copyButtons, function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      });
    });
  });
})();
