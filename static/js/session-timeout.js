/*
 * Session-timeout warning, and keeping unsaved form text through a new sign-in.
 *
 * Loaded from base.html for signed-in people only; the page works without it. The server ends a
 * session SESSION_TIMEOUT_MINUTES after the last request. This script:
 *
 * - opens a modal dialog (#session-timeout-dialog) warningSeconds before then, with a countdown,
 *   "Stay signed in" (a CSRF-protected POST to the keep-alive URL, which starts the count again)
 *   and "Sign out" (a POST to sign-out); Escape also means "Stay signed in";
 * - when the time runs out, saves every changed form field in <main> to sessionStorage (this tab
 *   only, keyed by page and user) and goes to the sign-in page, which brings the person back here;
 * - on a page that has saved text for this person, puts it back and says so in a notification
 *   banner.
 *
 * Other tabs of the same site share the deadline through localStorage, so a page used in one tab
 * keeps the others from warning.
 */
(function () {
  "use strict";

  var root = document.getElementById("session-timeout");
  if (!root || !window.sessionStorage) {
    return;
  }

  var timeoutMs = Number(root.getAttribute("data-timeout-seconds")) * 1000;
  var warningMs = Math.min(Number(root.getAttribute("data-warning-seconds")) * 1000, timeoutMs / 2);
  var keepAliveUrl = root.getAttribute("data-keep-alive-url");
  var signInUrl = root.getAttribute("data-sign-in-url");
  var userKey = root.getAttribute("data-user");
  var dialog = document.getElementById("session-timeout-dialog");
  var countdown = dialog.querySelector("[data-timeout-countdown]");
  var signOutForm = root.querySelector("form[data-timeout-sign-out]");
  var csrfInput = signOutForm.querySelector("input[name=csrfmiddlewaretoken]");

  var STORE_PREFIX = "iro-escalations:unsaved:";
  var SHARED_DEADLINE = "iro-escalations:session-deadline";
  var MAX_KEEP_MS = 12 * 60 * 60 * 1000;
  var SKIPPED_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  var deadline = Date.now() + timeoutMs;
  var ticker = null;
  var returnFocusTo = null;
  var leaving = false;

  // --- the deadline, shared between tabs -----------------------------------------------------

  function shareDeadline() {
    try {
      window.localStorage.setItem(SHARED_DEADLINE, String(deadline));
    } catch (error) { /* storage full or blocked: this tab keeps its own deadline */ }
  }

  function sharedDeadline() {
    try {
      return Number(window.localStorage.getItem(SHARED_DEADLINE)) || 0;
    } catch (error) {
      return 0;
    }
  }

  function restart(secondsLeft) {
    deadline = Date.now() + (secondsLeft ? secondsLeft * 1000 : timeoutMs);
    shareDeadline();
  }

  // --- the dialog ----------------------------------------------------------------------------

  function describe(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function openDialog(msLeft) {
    if (dialog.open) {
      return;
    }
    returnFocusTo = document.activeElement;
    countdown.textContent = describe(msLeft);
    dialog.showModal();
    dialog.focus();
  }

  function closeDialog() {
    if (!dialog.open) {
      return;
    }
    dialog.close();
    if (returnFocusTo && typeof returnFocusTo.focus === "function") {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function staySignedIn() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfInput.value);
    fetch(keepAliveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfInput.value, "Accept": "application/json" },
    }).then(function (response) {
      if (response.status === 401) {
        timeUp();
        return null;
      }
      if (!response.ok) {
        throw new Error("keep-alive answered " + response.status);
      }
      return response.json();
    }).then(function (answer) {
      if (answer) {
        restart(answer.expires_in);
        closeDialog();
      }
    }).catch(function () {
      // The network failed: leave the dialog open so the person can try again.
    });
  }

  dialog.addEventListener("click", function (event) {
    var action = event.target.closest("[data-timeout-action]");
    if (!action) {
      return;
    }
    if (action.getAttribute("data-timeout-action") === "stay") {
      staySignedIn();
    } else {
      leaving = true;
      signOutForm.submit();
    }
  });

  dialog.addEventListener("cancel", function (event) { // Escape
    event.preventDefault();
    staySignedIn();
  });

  // --- saving and restoring form fields ------------------------------------------------------

  function storeKey() {
    return STORE_PREFIX + window.location.pathname + window.location.search;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && SKIPPED_TYPES.indexOf(field.type) === -1 && !field.disabled;
    });
  }

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("main form"));
  }

  function changedFields() {
    var saved = [];
    forms().forEach(function (form, formIndex) {
      fieldsOf(form).forEach(function (field) {
        var entry = { form: formIndex, name: field.name };
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked === field.defaultChecked) {
            return;
          }
          entry.value = field.value;
          entry.checked = field.checked;
        } else if (field.tagName === "SELECT") {
          var changed = Array.prototype.some.call(field.options, function (option) {
            return option.selected !== option.defaultSelected;
          });
          if (!changed) {
            return;
          }
          entry.selected = Array.prototype.filter.call(field.options, function (option) {
            return option.selected;
          }).map(function (option) { return option.value; });
        } else {
          if (field.value === field.defaultValue) {
            return;
          }
          entry.text = field.value;
        }
        saved.push(entry);
      });
    });
    return saved;
  }

  function saveFields() {
    var fields = changedFields();
    if (!fields.length) {
      return;
    }
    try {
      window.sessionStorage.setItem(storeKey(), JSON.stringify({ user: userKey, savedAt: Date.now(), fields: fields }));
    } catch (error) { /* storage full or blocked: nothing more we can do */ }
  }

  function fire(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function restoreFields(fields) {
    var all = forms();
    var restored = 0;
    fields.forEach(function (entry) {
      var form = all[entry.form];
      if (!form) {
        return;
      }
      fieldsOf(form).forEach(function (field) {
        if (field.name !== entry.name) {
          return;
        }
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.value === entry.value) {
            field.checked = entry.checked;
            fire(field);
            restored += 1;
          }
        } else if (field.tagName === "SELECT" && entry.selected) {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = entry.selected.indexOf(option.value) !== -1;
          });
          fire(field);
          restored += 1;
        } else if (typeof entry.text === "string") {
          field.value = entry.text;
          fire(field);
          restored += 1;
        }
      });
    });
    return restored;
  }

  function showRestoredBanner() {
    var main = document.getElementById("main-content");
    var template = document.getElementById("session-restored-banner");
    if (!main || !template) {
      return;
    }
    var banner = template.content.firstElementChild.cloneNode(true);
    main.insertBefore(banner, main.firstChild);
    banner.focus();
  }

  function forgetOthers() {
    // Saved text of anyone else who used this tab, or too old to trust, is dropped unseen.
    for (var index = window.sessionStorage.length - 1; index >= 0; index -= 1) {
      var key = window.sessionStorage.key(index);
      if (key && key.indexOf(STORE_PREFIX) === 0) {
        try {
          var saved = JSON.parse(window.sessionStorage.getItem(key));
          if (saved.user !== userKey || Date.now() - saved.savedAt > MAX_KEEP_MS) {
            window.sessionStorage.removeItem(key);
          }
        } catch (error) {
          window.sessionStorage.removeItem(key);
        }
      }
    }
  }

  function restoreIfSaved() {
    forgetOthers();
    var raw = window.sessionStorage.getItem(storeKey());
    if (!raw) {
      return;
    }
    window.sessionStorage.removeItem(storeKey());
    var saved = JSON.parse(raw);
    if (restoreFields(saved.fields)) {
      showRestoredBanner();
    }
  }

  // --- the clock -----------------------------------------------------------------------------

  function timeUp() {
    if (leaving) {
      return;
    }
    leaving = true;
    window.clearInterval(ticker);
    saveFields();
    var back = window.location.pathname + window.location.search;
    window.location.assign(signInUrl + "?next=" + encodeURIComponent(back) + "&timed_out=1");
  }

  function tick() {
    deadline = Math.max(deadline, sharedDeadline());
    var left = deadline - Date.now();
    if (left <= 0) {
      timeUp();
    } else if (left <= warningMs) {
      openDialog(left);
      countdown.textContent = describe(left);
    } else {
      closeDialog(); // another tab kept the session going
    }
  }

  try {
    restoreIfSaved();
  } catch (error) { /* a malformed entry: ignore it */ }
  shareDeadline();
  ticker = window.setInterval(tick, 1000);
  document.addEventListener("visibilitychange", tick);
}());
