// Journal autosave. Forms work without this script (a normal POST); with it, an answer
// saves itself a moment after the writer pauses, and until the server confirms a save
// the text is also kept in this browser (localStorage) so a crash, a reload or a lost
// connection never costs a word. A draft is removed as soon as the server has it.
(function () {
  "use strict";
  var DELAY = 1200;
  var RETRY = 5000;
  var PREFIX = "trellis-draft:";

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: best effort */ }
  }
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing to do */ }
  }

  function setup(form) {
    var textarea = form.querySelector("textarea[name=text]");
    var version = form.querySelector("input[name=base_version]");
    var status = form.querySelector("[data-save-status]");
    if (!textarea || !version || !status) return;
    // Keyed by person too: on a shared computer whose session ran out, the next spouse to
    // sign in must never be offered the other's unsaved words.
    var key = PREFIX + form.dataset.draft;
    var timer = null;
    var inFlight = false;
    var again = false;
    var lastSaved = textarea.value;

    function say(message, state) {
      status.textContent = message;
      status.dataset.state = state || "";
    }

    // A draft left behind by a crash or a failed save is offered back, never applied silently.
    var draft = load(key);
    if (draft !== null && draft !== textarea.value) {
      var offer = document.createElement("div");
      offer.className = "draft-offer";
      offer.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = "This browser kept unsaved writing for this answer.";
      var restore = document.createElement("button");
      restore.type = "button";
      restore.className = "button";
      restore.textContent = "Bring back my unsaved text";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button button-quiet";
      discard.textContent = "Discard it";
      restore.addEventListener("click", function () {
        textarea.value = draft;
        offer.remove();
        textarea.focus();
        schedule(0);
      });
      discard.addEventListener("click", function () {
        forget(key);
        offer.remove();
      });
      offer.append(text, restore, discard);
      form.insertBefore(offer, form.firstChild);
    } else if (draft !== null) {
      forget(key);
    }

    function save() {
      timer = null;
      if (inFlight) { again = true; return; }
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("text", textarea.value);
      body.append("base_version", version.value);
      var sent = textarea.value;
      inFlight = true;
      say("Saving…", "saving");
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }).then(function (result) {
        inFlight = false;
        if (result.status === 200) {
          version.value = result.data.version;
          lastSaved = sent;
          if (textarea.value === sent) forget(key);
          say(result.data.saved_at ? "Saved at " + result.data.saved_at : "Nothing to save yet", "saved");
        } else if (result.status === 409) {
          // Changed in another tab: show both texts on the conflict page, keeping the draft.
          say("This answer changed elsewhere. Opening both versions…", "error");
          form.submit();
          return;
        } else if (result.status === 413 || result.status === 400) {
          say((result.data.error || "Not saved.") + " Your text is kept here.", "error");
          return;
        } else if (result.status === 403 || result.status === 401) {
          say("Not saved: you may have been signed out. Your text is kept in this browser; sign in again to save it.", "error");
          return;
        } else {
          throw new Error("HTTP " + result.status);
        }
        if (again || textarea.value !== lastSaved) { again = false; schedule(DELAY); }
      }).catch(function () {
        inFlight = false;
        say("Not saved yet — retrying. Your text is kept in this browser.", "error");
        schedule(RETRY);
      });
    }

    function schedule(delay) {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    textarea.addEventListener("input", function () {
      store(key, textarea.value);
      say("Not saved yet", "pending");
      schedule(DELAY);
    });
    form.addEventListener("submit", function () {
      // A normal submit carries the text; the draft stays until the next page confirms it.
      if (timer) window.clearTimeout(timer);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(setup);

})();
