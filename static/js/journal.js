// Journal autosave. Forms work without this script (a normal POST); with it, an answer
// saves itself a moment after the writer pauses, and a change of who can read it saves
// at once. Until the server confirms a save, the text is also kept in this browser
// (see trellisDrafts in site.js), so a crash, a reload, a lost connection or a session
// that ran out never costs a word.
//
// Only the server's own acknowledgement counts as a save: status 200, JSON, with the new
// version number. A redirect, a sign-in page, an error page, a timeout: all failures,
// and the draft stays.
(function () {
  "use strict";
  var DELAY = 1200;
  var RETRY = 5000;
  var RETRY_SIGNED_OUT = 15000;
  var TIMEOUT = 15000;
  var drafts = window.trellisDrafts;
  var editors = [];

  // Signing in again (perhaps in another tab) gives the browser a new CSRF token, and
  // the copy in this page would be refused; the cookie always holds the current one.
  function freshToken(form) {
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/);
    if (cookie) field.value = decodeURIComponent(cookie[1]);
    return field.value;
  }

  function post(url, data) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, TIMEOUT);
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: controller.signal,
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parsed = type.indexOf("application/json") === 0
        ? response.json().catch(function () { return null; })
        : Promise.resolve(null);
      return parsed.then(function (json) {
        return { status: response.status, data: json, url: response.url, redirected: response.redirected };
      });
    }, function () {
      return { status: 0, data: null };
    }).finally(function () { window.clearTimeout(timer); });
  }

  function setup(form) {
    var textarea = form.querySelector("textarea[name=text]");
    var version = form.querySelector("input[name=base_version]");
    var status = form.querySelector("[data-save-status]");
    var whoCanRead = form.querySelector("[data-who-can-read]");
    var partnerNote = form.querySelector("[data-partner-note]");
    if (!textarea || !version || !status || !drafts) return null;
    // Keyed by person too: on a shared computer whose session ran out, the next spouse to
    // sign in must never be offered the other's unsaved words.
    var key = drafts.PREFIX + form.dataset.draft;
    var timer = null;
    var inFlight = null;
    var inFlightMovesVersion = false;
    var waiting = false; // the last save failed; retrying
    var signedOut = false;
    var stopped = false; // the page is leaving: its last words went with the quick exit
    var keepBoth = false; // the next save keeps the stored wording as its own version
    var lastSaved = textarea.value;
    var storedSharing = sharing();
    // Arrow keys move the tick through the choices one by one, each a change: from
    // private to "when we have both" they pass over "Shared with …". A wider choice made
    // with the keyboard is held, and saves as focus leaves the choices; until then every
    // save sends the stored choice. A narrower one (withdrawing) saves at once, as does a
    // pointer's click, which picks one choice without passing over others.
    var WIDTH = { private: 0, when_both: 1, shared: 2 }; // as course.journal.WIDTH
    var byPointer = false;
    var choiceHeld = false;

    function sharing() {
      var checked = form.querySelector("input[name=sharing]:checked");
      return checked ? checked.value : "";
    }
    function showSharing(value) {
      var radio = form.querySelector("input[name=sharing][value='" + value + "']");
      if (radio) radio.checked = true;
    }
    // What the page says of the stored choice, from the server's answer to a save.
    function showReach(data) {
      if (whoCanRead && data.who_can_read) whoCanRead.textContent = data.who_can_read;
      if (partnerNote && typeof data.partner_note === "string") {
        partnerNote.textContent = data.partner_note;
        partnerNote.hidden = !data.partner_note;
      }
    }
    function unsaved() {
      return textarea.value !== lastSaved || chosen() !== storedSharing;
    }

    function say(message, state) {
      status.textContent = message;
      status.dataset.state = state || "";
    }
    function saySignedOut() {
      var link = document.createElement("a");
      var back = form.querySelector("input[name=next]");
      link.href = form.dataset.signIn + "?next=" +
        encodeURIComponent(back ? back.value : window.location.pathname);
      link.textContent = "Sign in again";
      say("You have been signed out, so this is not saved yet. Your words are kept in this browser. ", "error");
      status.append(link, " to save them.");
    }

    // A draft left behind by a crash or a failed save is offered back, never applied silently.
    var draft = drafts.read(key);
    if (draft && draft.text !== textarea.value) {
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
        // The brought-back words replace the saved ones, which were never part of them:
        // those stay whole, as an earlier version of their own (not merged away).
        keepBoth = true;
        textarea.value = draft.text;
        drafts.write(key, draft.text);
        offer.remove();
        textarea.focus();
        schedule(0);
      });
      discard.addEventListener("click", function () {
        drafts.forget(key);
        offer.remove();
      });
      offer.append(text, restore, discard);
      form.insertBefore(offer, form.firstChild);
    } else if (draft) {
      drafts.forget(key);
    }

    function fields() {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", freshToken(form));
      data.append("text", textarea.value);
      data.append("base_version", version.value);
      // Whose page this is: a session that changed hands in another tab must not save here.
      data.append("writer", form.dataset.writer);
      if (chosen()) data.append("sharing", chosen());
      if (keepBoth) data.append("keep_both", "1");
      return data;
    }
    // The choice a save sends: the one ticked, unless the keyboard is still among them.
    function chosen() {
      return choiceHeld ? storedSharing : sharing();
    }

    function outcome(result) {
      var data = result.data;
      if (result.status === 200 && data && typeof data.version === "number") return "saved";
      // The words were the saved words: only who can read the answer was at stake.
      if (result.status === 409 && data && data.conflict && typeof data.sharing === "string") {
        return "choice-only";
      }
      if (result.status === 409 && data && data.conflict) return "conflict";
      if ((result.status === 400 || result.status === 413) && data && data.error) return "refused";
      if (result.status === 401) return "signed-out";
      if (result.status === 403 && data && data.other_writer) return "other-writer";
      if (result.redirected && new URL(result.url).pathname === form.dataset.signIn) return "signed-out";
      return "failed";
    }

    function saved(data, sentText, sentSharing) {
      waiting = signedOut = keepBoth = false;
      version.value = data.version;
      lastSaved = sentText;
      var choiceChanged = sentSharing !== storedSharing;
      // Show what is stored; a choice clicked while this save was on its way goes next.
      storedSharing = typeof data.sharing === "string" ? data.sharing : sentSharing;
      if (sharing() === sentSharing) showSharing(storedSharing);
      showReach(data);
      if (textarea.value === sentText) drafts.forget(key);
      if (choiceChanged && data.who_can_read) {
        say("Saved. " + data.who_can_read, "saved");
      } else if (data.saved_at) {
        say("Saved at " + data.saved_at, "saved");
      } else if (choiceChanged) {
        say("Nothing written yet: this choice applies once you write.", "saved");
      } else {
        say("Nothing to save yet", "saved");
      }
      if (choiceHeld) {
        say("Your words are saved. The choice you are on is saved when you move on from it.", "pending");
      }
    }

    // A stale tab (who can read the answer was changed in another one) whose words are
    // the saved words: the server says what is in force. Show that, and say whether this
    // choice is it. A refused choice is never sent again: the tab keeps its old version,
    // so choosing again means opening the answer as it is now.
    function choiceAnswered(data, sentText, sentSharing) {
      var before = storedSharing;
      lastSaved = sentText;
      storedSharing = data.sharing;
      if (sharing() === sentSharing) showSharing(storedSharing);
      showReach(data);
      if (textarea.value === sentText) drafts.forget(key);
      if (sentSharing && sentSharing !== data.sharing) {
        say("The choice you just made was not saved: who can read this answer was changed " +
          "in another tab or device. " + data.who_can_read + " ", "error");
        var again = document.createElement("a");
        again.href = form.action;
        again.textContent = "Choose again";
        status.append(again);
        return "choice-refused";
      }
      say(sentSharing !== before ? "Saved. " + data.who_can_read : "Saved", "saved");
      return "saved";
    }

    function save() {
      window.clearTimeout(timer);
      timer = null;
      if (inFlight) return inFlight; // when it lands, anything newer is scheduled
      var sentText = textarea.value;
      var sentSharing = chosen();
      // A change of the text or of who can read it makes a new version.
      inFlightMovesVersion = sentText !== lastSaved || sentSharing !== storedSharing;
      if (!signedOut) say("Saving…", "saving");
      inFlight = post(form.action, fields()).then(function (result) {
        inFlight = null;
        var got = outcome(result);
        if (got === "saved") {
          saved(result.data, sentText, sentSharing);
          if (unsaved()) schedule(DELAY);
        } else if (stopped) {
          // Leaving: the quick exit carried the words; nothing more to show or send.
        } else if (got === "choice-only") {
          got = choiceAnswered(result.data, sentText, sentSharing);
          if (got === "saved" && unsaved()) schedule(DELAY);
        } else if (got === "conflict") {
          // Changed in another tab: show both texts on the conflict page, keeping the draft.
          say("This answer changed elsewhere. Opening both versions…", "error");
          form.submit();
        } else if (got === "refused") {
          // The server's message already says the words are still on the page.
          say(result.data.error, "error");
        } else if (got === "signed-out") {
          waiting = signedOut = true;
          saySignedOut();
          schedule(RETRY_SIGNED_OUT);
        } else if (got === "other-writer") {
          // Someone else signed in on this browser: the words wait here for their writer.
          waiting = signedOut = true;
          say("Someone else is signed in on this browser now, so this is not saved. " +
            "The words stay in this browser for the person who wrote them: sign in as yourself to save them.", "error");
          schedule(RETRY_SIGNED_OUT);
        } else {
          waiting = true;
          say("Not saved yet — retrying. Your text is kept in this browser.", "error");
          schedule(RETRY);
        }
        return got;
      });
      return inFlight;
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      if (stopped) return;
      timer = window.setTimeout(save, delay);
    }

    // Save now, and again while the writer's last change is not yet confirmed.
    function settle() {
      var rounds = 0;
      function next(got) {
        if (got && got !== "saved") return got;
        if (inFlight) return inFlight.then(next);
        if (!unsaved() || rounds++ > 2) return got || "saved";
        return save().then(next);
      }
      return Promise.resolve(next(null));
    }

    // The page is about to go (quick exit): what is pending, for the one request the
    // page sends as it leaves (see site.js), or null if nothing is.
    function leavingDraft() {
      window.clearTimeout(timer);
      stopped = true;
      if (!unsaved() && !inFlight) return null;
      // A save still on its way will have moved the version on by one.
      var base = Number(version.value) + (inFlight && inFlightMovesVersion ? 1 : 0);
      return {
        key: key,
        prompt: form.dataset.prompt,
        text: textarea.value,
        base_version: String(base),
        sharing: chosen(),
        keep_both: keepBoth ? "1" : "",
      };
    }

    textarea.addEventListener("input", function () {
      drafts.write(key, textarea.value);
      if (!signedOut) say("Not saved yet", "pending");
      schedule(DELAY);
    });
    function isChoice(element) {
      return Boolean(element && element.name === "sharing" && form.contains(element));
    }
    form.addEventListener("pointerdown", function (event) {
      byPointer = Boolean(event.target.closest && event.target.closest("label, input"));
    });
    form.addEventListener("keydown", function () {
      byPointer = false;
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "sharing") return;
      var widens = (WIDTH[sharing()] || 0) > (WIDTH[storedSharing] || 0);
      if (byPointer || !widens || !isChoice(document.activeElement)) {
        choiceHeld = false;
        schedule(0);
        return;
      }
      choiceHeld = true;
      if (!signedOut) say("Not saved yet", "pending");
    });
    form.addEventListener("focusout", function (event) {
      if (choiceHeld && !isChoice(event.relatedTarget)) {
        choiceHeld = false;
        schedule(0);
      }
    });
    form.addEventListener("submit", function (event) {
      // A normal submit carries the text; the draft stays until the next page confirms it.
      window.clearTimeout(timer);
      if (!inFlight) return;
      // An autosave on its way (a sharing choice clicked just before "Save answer") moves
      // the version on: send the form once it has landed, with the version it brought,
      // or the form would meet its own autosave as a conflict.
      event.preventDefault();
      // Nor send a choice just refused: the status says so, and offers to choose again.
      inFlight.then(function (got) {
        if (got !== "conflict" && got !== "choice-refused") form.submit();
      });
    });
    // Back at this tab (perhaps after signing in again in another one): try again now.
    function retryNow() {
      if (waiting && !inFlight && document.visibilityState === "visible") schedule(0);
    }
    window.addEventListener("focus", retryNow);
    document.addEventListener("visibilitychange", retryNow);

    return {
      key: key,
      unsaved: function () { return unsaved() || inFlight !== null; },
      settle: settle,
      idle: function () { return inFlight ? inFlight.then(function () {}) : Promise.resolve(); },
      leavingDraft: leavingDraft,
    };
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var editor = setup(form);
    if (editor) editors.push(editor);
  });

  // For site.js: quick exit and sign-out send what is pending before leaving.
  window.trellisJournal = {
    hasUnsaved: function () {
      return editors.some(function (editor) { return editor.unsaved(); });
    },
    saveAll: function () {
      return Promise.all(editors.map(function (editor) { return editor.settle(); }));
    },
    idle: function (limit) {
      var all = Promise.all(editors.map(function (editor) { return editor.idle(); }));
      var enough = new Promise(function (resolve) { window.setTimeout(resolve, limit); });
      return Promise.race([all, enough]);
    },
    // What each answer on this page has not saved yet, for the quick exit.
    leavingDrafts: function () {
      return editors.map(function (editor) { return editor.leavingDraft(); })
        .filter(function (draft) { return draft !== null; });
    },
  };
})();
