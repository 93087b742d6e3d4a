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

  // A field someone types in: Escape there may just mean "close the
  // suggestions" or "never mind", so it must not count towards leaving.
  var NOT_TYPING = ["button", "submit", "reset", "checkbox", "radio", "range",
    "color", "file", "image", "hidden"];
  function isTypingField(el) {
    if (!el || el === document.body) { return false; }
    if (el.isContentEditable) { return true; }
    var tag = el.tagName;
    if (tag === "TEXTAREA") { return true; }
    if (tag !== "INPUT") { return false; }
    return NOT_TYPING.indexOf((el.getAttribute("type") || "text").toLowerCase()) === -1;
  }

  // Escape twice within a second leaves. In a text field the first Escape
  // only leaves the field (blurs it) and is not counted: from a field it
  // takes Escape to step out, then Escape twice to leave the site; two
  // Escapes while typing never throw away what someone is writing.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.isComposing) { return; }
    var active = document.activeElement;
    if (isTypingField(active)) {
      active.blur();
      lastEscape = 0;
      return;
    }
    var now = Date.now();
    if (now - lastEscape < 1000) { leaveNow(event); }
    lastEscape = now;
  });

  function copy(button, text, done) {
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = done;
    });
  }

  // "Copy link" buttons, shown only where the clipboard can be used.
  var copyButtons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(copyButtons, function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      copy(button, field.value, "Copied");
    });
  });

  // "Share link": the phone's own share sheet (Web Share API) where there
  // is one, else the same button copies the link. Shown only when either
  // works; without both, the link is still there to select by hand.
  var shareButtons = document.querySelectorAll("button[data-share]");
  Array.prototype.forEach.call(shareButtons, function (button) {
    var canShare = typeof navigator.share === "function";
    if (!canShare && !navigator.clipboard) { return; }
    if (!canShare) { button.textContent = "Copy link"; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-share"));
      if (!field) { return; }
      if (!canShare) { copy(button, field.value, "Copied"); return; }
      // Only the link: no words that would say what it is for in a
      // message preview someone else might see.
      navigator.share({ url: field.value }).catch(function (err) {
        // Closing the sheet is a choice, not a failure.
        if (err && err.name === "AbortError") { return; }
        if (navigator.clipboard) { copy(button, field.value, "Copied"); }
      });
    });
  });

  // The service worker keeps only the app's own files (see /sw.js), so
  // the app installs to a home screen; no page is ever stored.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () {
      /* the site works without it */
    });
  }
})();

// The idle warning (SECURITY.md R18): a session ends after a while without
// activity, to keep the notes private on a device left open. A minute
// before that, say so; typing or tapping renews the session (a GET of
// /api/v1/session counts as activity), at most once every 30 seconds.
(function () {
  if (!window.fetch) { return; }
  var banner = null;
  var warnTimer = null;
  var endTimer = null;
  var lastRenew = 0;
  var persistent = true;

  function showBanner(text) {
    if (!banner) {
      banner = document.createElement("p");
      banner.id = "idle-warning";
      banner.className = "notice banner idle-warning";
      banner.setAttribute("role", "alert");
      var main = document.getElementById("main");
      if (!main) { return; }
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = text;
    banner.hidden = false;
  }

  function hideBanner() {
    if (banner) { banner.hidden = true; }
  }

  function schedule(session) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    hideBanner();
    persistent = session.persistent;
    if (persistent) { return; }
    var left = session.idle_seconds_left * 1000;
    warnTimer = setTimeout(function () {
      showBanner("To keep your notes private, you'll be signed out in a minute. Press any key or tap anywhere to stay signed in.");
    }, Math.max(left - 60000, 0));
    endTimer = setTimeout(function () {
      showBanner("You were signed out after a while without activity. Anything you were writing is kept: press save, sign in, and it comes back.");
    }, left);
  }

  function renew() {
    lastRenew = Date.now();
    return fetch("/api/v1/session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (session) { if (session) { schedule(session); } })
      .catch(function () { /* offline: the server still decides */ });
  }

  function activity() {
    if (persistent) { return; }
    if (Date.now() - lastRenew < 30000) { return; }
    renew();
  }

  persistent = false;
  renew();
  document.addEventListener("keydown", activity);
  document.addEventListener("pointerdown", activity);
})();
