// Site-wide behaviour. Quick exit: leave for a neutral site at once, replacing this page in the history so
// Back does not return. The link works without JavaScript; this adds the Escape-key
// shortcut (three presses within two seconds) and the history replacement.
(function () {
  "use strict";
  function leave(url) {
    document.body.hidden = true;
    window.location.replace(url);
  }
  function exitUrl() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.href : "about:blank";
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!link) return;
    event.preventDefault();
    leave(link.href);
  });
  // Unsaved journal drafts (see journal.js) must not outlive a sign-out on a shared computer.
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("[data-sign-out]")) return;
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("trellis-draft:") === 0) window.localStorage.removeItem(key);
      });
    } catch (e) { /* storage unavailable: nothing kept */ }
  }, true);

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) leave(exitUrl());
  });
})();
