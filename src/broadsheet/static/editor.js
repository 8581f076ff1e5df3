// The editor without a round trip: drafts save themselves a few seconds after the writer
// stops typing, and times are shown and typed in the writer's own time zone. Without this
// script every button still works as a plain form.
(function () {
  "use strict";

  var AUTOSAVE_AFTER_MS = 3000;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  function localInputValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function showLocalTimes() {
    document.querySelectorAll("time.local-time").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment)) {
        element.textContent = moment.toLocaleString(undefined, {
          year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
          timeZoneName: "short"
        });
      }
    });
  }

  function useWritersTimeZone(form) {
    var zoneField = form.querySelector("input[name=time_zone]");
    var timeField = form.querySelector("input[name=publish_at]");
    if (!zoneField || !timeField) {
      return;
    }
    // The server writes a stored time in UTC; move it to the writer's zone before they see it.
    if (zoneField.value === "UTC" && timeField.value) {
      var stored = new Date(timeField.value + ":00Z");
      if (!isNaN(stored)) {
        timeField.value = localInputValue(stored);
      }
    }
    zoneField.value = zone;
    form.querySelectorAll(".time-zone-name").forEach(function (element) {
      element.textContent = "(" + zone + ")";
    });
  }

  function autosave(form) {
    var state = form.querySelector(".save-state");
    var timer = null;
    var saving = false;
    var again = false;
    var heldSubmit = null;

    function say(text) {
      if (state) {
        state.textContent = text;
      }
    }

    function save() {
      if (saving) {
        again = true;
        return;
      }
      saving = true;
      var data = new FormData(form);
      data.set("intent", "autosave");
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            var problems = Object.values(answer.errors || {}).flat().join(" ");
            say("Not saved: " + (problems || "please try again") + ".");
            return;
          }
          form.action = answer.action;
          if (window.location.pathname !== answer.editUrl) {
            window.history.replaceState(null, "", answer.editUrl);
          }
          var saved = new Date(answer.savedAt);
          say("Saved " + pad(saved.getHours()) + ":" + pad(saved.getMinutes()));
        });
      }).catch(function () {
        say("Not saved: the connection failed. Your text is still here.");
      }).finally(function () {
        saving = false;
        if (heldSubmit) {
          // Sent after the save, to where it saved: a new story must not be created twice.
          var button = heldSubmit;
          heldSubmit = null;
          form.requestSubmit(button);
        } else if (again) {
          again = false;
          save();
        }
      });
    }

    form.addEventListener("input", function () {
      say("Editing…");
      window.clearTimeout(timer);
      timer = window.setTimeout(save, AUTOSAVE_AFTER_MS);
    });
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (saving) {
        event.preventDefault();
        heldSubmit = event.submitter;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes();
    document.querySelectorAll("form.editor").forEach(function (form) {
      useWritersTimeZone(form);
      if (form.hasAttribute("data-autosave")) {
        autosave(form);
      }
    });
  });
})();
