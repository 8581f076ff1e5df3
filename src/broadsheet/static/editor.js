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

  // Posts as the signed-in writer and resolves to the JSON answer; a refusal rejects with the
  // server's messages as `problems`, a failed connection without them.
  function postForJson(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          throw { problems: Object.values(answer.errors || {}).flat().join(" ") };
        }
        return answer;
      });
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
      data.delete("picture");  // pictures go up on their own, through /uploads
      postForJson(form.action, new URLSearchParams(data)).then(function (answer) {
        form.action = answer.action;
        if (window.location.pathname !== answer.action) {
          window.history.replaceState(null, "", answer.action);
        }
        var saved = new Date(answer.savedAt);
        say("Saved " + pad(saved.getHours()) + ":" + pad(saved.getMinutes()));
      }).catch(function (error) {
        say(error.problems === undefined
          ? "Not saved: the connection failed. Your text is still here."
          : "Not saved: " + (error.problems || "please try again") + ".");
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

  function livePreview(form) {
    var pane = document.getElementById("live-preview");
    var page = form.closest(".editor-page");
    var count = form.querySelector(".word-count");
    if (!pane || !page) {
      return;
    }
    var timer = null;
    var asked = 0;
    pane.hidden = false;
    page.classList.add("has-live-preview");
    if (count) {
      count.hidden = false;
    }

    function refresh() {
      var number = ++asked;
      var data = new URLSearchParams();
      ["csrf_token", "title", "description", "body"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        data.set(name, field ? field.value : "");
      });
      fetch("/preview", {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (answer) {
        if (number !== asked) {
          return;  // a later preview is on its way
        }
        pane.querySelector(".preview-title").textContent = answer.title || "Untitled";
        pane.querySelector(".subtitle").textContent = answer.description;
        // Rendered and sanitised by the server, exactly as a save would store it.
        pane.querySelector(".prose").innerHTML = answer.html;
        if (count) {
          count.textContent = answer.words + (answer.words === 1 ? " word" : " words") +
            " · " + answer.minutes + " min read";
        }
      }).catch(function () {
        if (count) {
          count.textContent = "The preview is unavailable; your text is safe here.";
        }
      });
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    refresh();

    var tabs = document.querySelector(".editor-tabs");
    if (tabs) {
      tabs.hidden = false;
      tabs.querySelectorAll("[role=tab]").forEach(function (tab) {
        tab.addEventListener("click", function () {
          var previewing = tab.id === "tab-preview";
          page.classList.toggle("showing-preview", previewing);
          tabs.querySelectorAll("[role=tab]").forEach(function (other) {
            other.setAttribute("aria-selected", String(other === tab));
          });
        });
      });
    }
  }

  // Markdown around the selection, as the buttons of a word processor would add it.
  function surround(field, before, after, placeholder) {
    var start = field.selectionStart;
    var end = field.selectionEnd;
    var chosen = field.value.slice(start, end) || placeholder;
    field.setRangeText(before + chosen + after, start, end, "end");
    field.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  function toggleHeading(field) {
    var caretAt = field.selectionStart;
    var lineStart = caretAt === 0 ? 0 : field.value.lastIndexOf("\n", caretAt - 1) + 1;
    var isHeading = field.value.slice(lineStart, lineStart + 3) === "## ";
    var caret = field.selectionStart;
    if (isHeading) {
      field.setRangeText("", lineStart, lineStart + 3, "preserve");
      field.setSelectionRange(Math.max(lineStart, caret - 3), Math.max(lineStart, caret - 3));
    } else {
      field.setRangeText("## ", lineStart, lineStart, "preserve");
      field.setSelectionRange(caret + 3, caret + 3);
    }
  }

  function shortcuts(field) {
    field.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) {
        return;
      }
      var key = event.key.toLowerCase();
      if (key === "b" && !event.shiftKey) {
        surround(field, "**", "**", "bold text");
      } else if (key === "i" && !event.shiftKey) {
        surround(field, "*", "*", "italic text");
      } else if (key === "k" && !event.shiftKey) {
        surround(field, "[", "](https://)", "link text");
      } else if (key === "h" && event.shiftKey) {
        toggleHeading(field);
      } else {
        return;
      }
      event.preventDefault();
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // Pictures go up as soon as they are chosen or dropped and described, and their Markdown
  // goes where the caret is; without this script, "Add picture" sends them with the form.
  function pictures(form) {
    var fieldset = form.querySelector("fieldset.pictures");
    var body = form.elements.namedItem("body");
    if (!fieldset || !body) {
      return;
    }
    var file = form.elements.namedItem("picture");
    var alt = form.elements.namedItem("alt");
    var asCover = form.elements.namedItem("as_cover");
    var cover = form.elements.namedItem("cover_image");
    var chosen = fieldset.querySelector(".cover-chosen");
    var state = fieldset.querySelector(".picture-state");
    var adding = fieldset.querySelector("button.add-picture");
    var caret = null;

    function say(text) {
      state.textContent = text;
    }

    function changed(field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function showCover(url, srcset) {
      cover.value = url;
      var thumb = chosen.querySelector("img");
      if (!thumb && url) {
        thumb = document.createElement("img");
        thumb.className = "cover-thumb";
        thumb.alt = "";
        chosen.insertBefore(thumb, chosen.firstChild);
      }
      if (thumb) {
        thumb.srcset = srcset || "";
        thumb.sizes = "160px";
        thumb.src = url;
      }
      chosen.hidden = !url;
      changed(cover);
    }

    function insert(markdown) {
      var at = caret === null ? body.value.length : caret;
      var before = body.value.slice(0, at).replace(/\s*$/, "");
      var after = body.value.slice(at).replace(/^\s*/, "");
      var text = (before ? "\n\n" : "") + markdown + (after ? "\n\n" : "\n");
      body.setRangeText(text, before.length, body.value.length - after.length, "end");
      caret = body.selectionStart;
      changed(body);
    }

    function upload() {
      if (!file.files.length) {
        say("Choose a picture first.");
        file.focus();
        return;
      }
      if (!alt.value.trim()) {
        say("Describe the picture first, for readers who cannot see it.");
        alt.focus();
        return;
      }
      var data = new FormData();
      data.set("csrf_token", form.elements.namedItem("csrf_token").value);
      data.set("picture", file.files[0]);
      data.set("alt", alt.value);
      adding.disabled = true;
      say("Uploading…");
      postForJson("/uploads", data).then(function (answer) {
        if (asCover.checked) {
          showCover(answer.url, answer.srcset);
          say("The picture is the cover now.");
        } else {
          insert(answer.markdown);
          say("Picture added to the story.");
        }
        file.value = "";
        alt.value = "";
        asCover.checked = false;
      }).catch(function (error) {
        say(error.problems === undefined
          ? "Not added: the connection failed. Please try again."
          : "Not added: the picture " + (error.problems || "could not be uploaded") + ".");
      }).finally(function () {
        adding.disabled = false;
      });
    }

    body.addEventListener("blur", function () {
      caret = body.selectionStart;
    });
    adding.addEventListener("click", function (event) {
      event.preventDefault();
      upload();
    });
    fieldset.querySelector("button.remove-cover").addEventListener("click", function (event) {
      event.preventDefault();
      showCover("", "");
      say("The cover is taken away.");
    });
    // A picture dropped onto the story waits for its description, then goes where it fell.
    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).indexOf("Files") >= 0) {
        event.preventDefault();
      }
    });
    body.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      file.files = event.dataTransfer.files;
      caret = body.selectionStart;
      say("Describe the picture, then press Add picture.");
      alt.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes();
    document.querySelectorAll("form.editor").forEach(function (form) {
      useWritersTimeZone(form);
      if (form.hasAttribute("data-autosave")) {
        autosave(form);
      }
      livePreview(form);
      pictures(form);
      var body = form.elements.namedItem("body");
      if (body) {
        shortcuts(body);
      }
    });
  });
})();
