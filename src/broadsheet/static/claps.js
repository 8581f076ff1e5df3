// Claps as a reader expects them: every press adds one, holding the button keeps clapping, and
// the count moves at once. A burst of claps is sent as one count when the reader pauses.
// Without this script the button is a plain form that adds one clap.
(function () {
  "use strict";

  var SEND_AFTER_MS = 700;
  var HOLD_AFTER_MS = 350;
  var CLAP_EVERY_MS = 140;

  function counted(number, noun) {
    return number.toLocaleString("en-US") + " " + noun + (number === 1 ? "" : "s");
  }

  function wire(form) {
    var button = form.querySelector("button.clap");
    var totalSeen = form.querySelector(".clap-total");
    var totalSpoken = form.querySelector(".clap-total-words");
    var yoursStatus = document.getElementById("your-claps");
    var undo = document.querySelector("form.undo-claps");
    var box = document.getElementById("claps");
    var most = Number(form.dataset.most);
    var total = Number(form.dataset.total);
    var yours = Number(form.dataset.yours);
    var pending = 0;
    var sending = false;
    var sendTimer = null;
    var holdTimer = null;
    var holdClapper = null;
    var held = false;

    function show(message) {
      // Busy while claps wait to be sent or are on their way.
      box.setAttribute("aria-busy", String(pending > 0 || sending));
      totalSeen.textContent = total.toLocaleString("en-US");
      totalSpoken.textContent = counted(total, "clap");
      yoursStatus.textContent = message || (yours ? "Your claps: " + yours + " of " + most : "");
      undo.hidden = yours === 0;
    }

    function send() {
      sendTimer = null;
      if (sending || pending === 0) {
        return;
      }
      var body = new FormData();
      body.set("csrf_token", form.elements.namedItem("csrf_token").value);
      body.set("count", String(pending));
      var sent = pending;
      pending = 0;
      sending = true;
      fetch(form.dataset.scriptAction, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            throw answer;
          }
          // The server's count, plus whatever the reader clapped while this one was on its way.
          total = answer.claps.total + pending;
          yours = Math.min(answer.claps.yours + pending, most);
          show();
        });
      }).catch(function (answer) {
        total -= sent + pending;
        yours -= sent + pending;
        pending = 0;
        var problems = answer && answer.errors ? Object.values(answer.errors)[0] : null;
        show("Your claps were not saved: " + (problems ? problems.join(" ") : "no connection.") +
          " Please try again.");
      }).then(function () {
        sending = false;
        if (pending) {
          send();
        } else {
          show(yoursStatus.textContent);
        }
      });
    }

    function clapOnce() {
      if (yours >= most) {
        return;
      }
      yours += 1;
      total += 1;
      pending += 1;
      show();
      if (sendTimer) {
        clearTimeout(sendTimer);
      }
      sendTimer = setTimeout(send, SEND_AFTER_MS);
    }

    function stopHolding() {
      clearTimeout(holdTimer);
      clearInterval(holdClapper);
      holdTimer = holdClapper = null;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // The click that ends a hold has clapped already.
      if (held) {
        held = false;
        return;
      }
      clapOnce();
    });
    button.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      held = false;
      holdTimer = setTimeout(function () {
        held = true;
        clapOnce();
        holdClapper = setInterval(clapOnce, CLAP_EVERY_MS);
      }, HOLD_AFTER_MS);
    });
    ["pointerup", "pointerleave", "pointercancel"].forEach(function (name) {
      button.addEventListener(name, stopHolding);
    });
    // A held press must not open the touch screen's menu for the button.
    button.addEventListener("contextmenu", function (event) {
      if (held || holdClapper) {
        event.preventDefault();
      }
    });
    // Claps still waiting when the reader leaves are sent on the way out.
    window.addEventListener("pagehide", function () {
      if (pending && !sending) {
        var body = new FormData();
        body.set("csrf_token", form.elements.namedItem("csrf_token").value);
        body.set("count", String(pending));
        navigator.sendBeacon(form.dataset.scriptAction, body);
        pending = 0;
      }
    });
  }

  document.querySelectorAll("form.clap-form").forEach(wire);
})();
