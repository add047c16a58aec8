// Site-wide behaviour: quick exit, and the journal's drafts kept in this browser.
(function () {
  "use strict";
  var PREFIX = "trellis-draft:";
  var KEEP_MS = 7 * 24 * 60 * 60 * 1000;

  // Unsaved journal writing (see journal.js) is kept here until the server confirms it,
  // as {text, at}, keyed by person and question: "trellis-draft:<person>:<question>".
  // None outlives a week, wherever the person goes on the site.
  var drafts = {
    PREFIX: PREFIX,
    keys: function () {
      try {
        return Object.keys(window.localStorage).filter(function (key) {
          return key.indexOf(PREFIX) === 0;
        });
      } catch (e) { return []; }
    },
    read: function (key) {
      var raw = null;
      try { raw = window.localStorage.getItem(key); } catch (e) { return null; }
      if (raw === null) return null;
      var draft = null;
      try { draft = JSON.parse(raw); } catch (e) { /* plain text, from before drafts were dated */ }
      if (!draft || typeof draft.text !== "string") {
        drafts.write(key, raw);
        return { text: raw, at: Date.now() };
      }
      if (!(Date.now() - draft.at < KEEP_MS)) {
        drafts.forget(key);
        return null;
      }
      return draft;
    },
    write: function (key, text) {
      try {
        window.localStorage.setItem(key, JSON.stringify({ text: text, at: Date.now() }));
      } catch (e) { /* private mode or full: the server copy is all there is */ }
    },
    forget: function (key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    },
  };
  window.trellisDrafts = drafts;
  drafts.keys().forEach(drafts.read); // reading drops what is too old

  // Quick exit: hide the page at once and leave for a neutral site, replacing this page
  // in the history so Back does not return. The link works without JavaScript; this adds
  // the Escape-key shortcut (three presses within two seconds) and the history
  // replacement. Words typed but not yet saved go with the last request the page sends
  // (a beacon outlives the page); then no draft stays on this device, unless it could
  // not be sent at all (too long for a beacon, or the session had run out): losing words
  // is worse, and such a draft is only ever offered to its own writer.
  var leaving = false;
  function leave(url) {
    if (leaving) return;
    leaving = true;
    document.body.hidden = true;
    var journal = window.trellisJournal;
    function go() {
      var unsent = journal ? journal.sendBeforeLeaving() : [];
      var sent = journal ? journal.keys().filter(function (key) { return unsent.indexOf(key) < 0; }) : [];
      // Only the drafts this page could send go: one kept from an earlier page was never
      // confirmed by the server (a session had run out), so it waits for its writer.
      drafts.keys().forEach(function (key) {
        if (sent.indexOf(key) >= 0) drafts.forget(key);
      });
      window.location.replace(url);
    }
    // A save already on its way decides the version the last one builds on: wait for it
    // a moment (the page is hidden meanwhile), never long.
    if (journal) journal.idle(400).then(go); else go();
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

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) leave(exitUrl());
  });

  // Signing out (here or everywhere) saves what is pending first; each draft the server
  // confirms leaves the browser. One that cannot be saved (the session has already run
  // out) stays, offered only to its own writer when they sign in again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-sign-out]")) return;
    var journal = window.trellisJournal;
    if (!journal || !journal.hasUnsaved()) return;
    event.preventDefault();
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    // Never keep someone from signing out for long: what is not confirmed by then stays.
    var enough = new Promise(function (resolve) { window.setTimeout(resolve, 5000); });
    Promise.race([journal.saveAll(), enough]).then(function () { form.submit(); });
  }, true);
})();
