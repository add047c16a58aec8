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
  // the Escape-key shortcut (three presses within two seconds), the history replacement,
  // and the end of the session. Words typed but not yet saved go in one request to
  // /quick-exit/, which saves them and then signs out, in that order (two requests could
  // arrive the other way round, and the save be refused as signed out). The request
  // outlives the page (keepalive). A draft leaves this browser only once the server says
  // it is saved; one it could not save (changed elsewhere, or no answer came in time)
  // stays, offered only to its own writer when they sign in again: losing words is worse.
  var LEAVE_WAIT_MS = 1500;
  var leaving = false;
  function csrfToken() {
    var cookie = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function signOutAndSave(endpoint, pending, writer) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    // Whose page this is: if someone else has signed in on this browser since, the
    // server saves none of these words into their journal (they stay here).
    data.append("writer", writer || "");
    data.append("draft-TOTAL_FORMS", String(pending.length));
    data.append("draft-INITIAL_FORMS", "0");
    pending.forEach(function (draft, index) {
      ["prompt", "text", "base_version", "sharing", "keep_both"].forEach(function (name) {
        data.append("draft-" + index + "-" + name, draft[name]);
      });
    });
    function send(keepalive) {
      return fetch(endpoint, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        keepalive: keepalive,
      });
    }
    // keepalive allows 64 kB; a longer journal entry goes as an ordinary request.
    var sent;
    try { sent = send(true).catch(function () { return send(false); }); } catch (e) { sent = send(false); }
    return sent.then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      var saved = answer && Array.isArray(answer.saved) ? answer.saved : [];
      pending.forEach(function (draft) {
        if (saved.indexOf(draft.prompt) >= 0) drafts.forget(draft.key);
      });
    }).catch(function () { /* not confirmed: the drafts stay */ });
  }
  function leave(url) {
    if (leaving) return;
    leaving = true;
    document.body.hidden = true;
    var link = document.querySelector("[data-quick-exit]");
    var endpoint = link && link.dataset.leave;
    var journal = window.trellisJournal;
    function go() { window.location.replace(url); }
    if (!endpoint) { go(); return; } // not signed in: nothing to save or end
    // A save already on its way decides the version the last one builds on: wait for it
    // a moment (the page is hidden meanwhile), never long.
    (journal ? journal.idle(400) : Promise.resolve()).then(function () {
      var pending = journal ? journal.leavingDrafts() : [];
      var enough = new Promise(function (resolve) { window.setTimeout(resolve, LEAVE_WAIT_MS); });
      Promise.race([signOutAndSave(endpoint, pending, link.dataset.writer), enough]).then(go);
    });
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
