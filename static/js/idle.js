// Idle warning: one minute before the server ends an idle session (SESSION_IDLE_SECONDS),
// a dialog offers "Stay signed in" (a POST to the keep-alive endpoint). Without an answer the
// page logs out, so nothing stays on a shared screen. Activity in another tab of the portal
// (a page load there) restarts the clock here too, through localStorage.
(function () {
  "use strict";
  var idle = parseInt(document.body.dataset.idleSeconds || "0", 10);
  var dialog = document.getElementById("idle-dialog");
  if (!idle || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warnBefore = Math.min(60, Math.floor(idle / 2));
  var keepForm = dialog.querySelector("[data-idle-keepalive]");
  var logoutForm = dialog.querySelector("[data-idle-logout]");
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var storageKey = "portal-last-activity";
  var warnTimer, endTimer, tick, deadline;

  function schedule(from) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    deadline = from + idle * 1000;
    var now = Date.now();
    warnTimer = setTimeout(warn, Math.max(0, deadline - warnBefore * 1000 - now));
    endTimer = setTimeout(end, Math.max(0, deadline + 1000 - now));
    if (dialog.open && deadline - warnBefore * 1000 > now) {
      dialog.close();
    }
  }

  function update() {
    countdown.textContent = String(Math.max(0, Math.round((deadline - Date.now()) / 1000)));
  }

  function warn() {
    update();
    tick = setInterval(update, 1000);
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  function end() {
    clearInterval(tick);
    logoutForm.submit();
  }

  function markActivity() {
    var now = Date.now();
    try {
      window.localStorage.setItem(storageKey, String(now));
    } catch (e) { /* storage disabled: this tab still works alone */ }
    schedule(now);
  }

  keepForm.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(keepForm.action, {
      method: "POST",
      body: new FormData(keepForm),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        markActivity();
      } else {
        window.location.reload();
      }
    }).catch(function () { /* offline: the dialog stays open */ });
  });

  // Escape would close the dialog without telling the server: treat it as "Stay signed in".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    keepForm.requestSubmit();
  });

  window.addEventListener("storage", function (event) {
    if (event.key === storageKey && event.newValue) {
      schedule(parseInt(event.newValue, 10));
    }
  });

  markActivity();
})();
