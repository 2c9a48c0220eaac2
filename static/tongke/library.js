/* Tongke lesson library: processing progress and the bandwidth switch. Nothing else.
   Served by Tongke itself (CSP script-src 'self'); the pages work without it. */
(function () {
  "use strict";

  var KEY = "tk_bw";
  var CHOICES = ["normal", "low", "audio"];

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  function remember(choice) {
    try { window.localStorage.setItem(KEY, choice); } catch (e) { /* private mode */ }
    document.cookie = KEY + "=" + choice + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function stored() {
    var value = "";
    try { value = window.localStorage.getItem(KEY) || ""; } catch (e) { value = ""; }
    return CHOICES.indexOf(value) >= 0 ? value : "";
  }

  /* The rendition label a choice asks for, among those the player has. */
  function labelFor(choice, labels) {
    var videos = labels.filter(function (l) { return l !== "audio"; });
    if (choice === "low" && labels.indexOf("240p") >= 0) return "240p";
    if (choice === "audio" && labels.indexOf("audio") >= 0) return "audio";
    if (choice !== "low" && labels.indexOf("360p") >= 0) return "360p";
    return videos.length ? videos[0] : (labels[0] || "");
  }

  function usePlayer(player, choice) {
    var sources = Array.prototype.slice.call(player.querySelectorAll("source"));
    var labels = sources.map(function (s) { return s.getAttribute("data-label"); });
    var wanted = labelFor(choice, labels);
    if (!wanted || wanted === player.getAttribute("data-chosen")) return;
    var at = player.currentTime || 0;
    var playing = !player.paused && !player.ended;
    var first = sources[labels.indexOf(wanted)];
    player.insertBefore(first, player.firstChild);
    player.setAttribute("data-chosen", wanted);
    player.load();
    if (at > 0 || playing) {
      player.addEventListener("loadedmetadata", function resume() {
        player.removeEventListener("loadedmetadata", resume);
        if (at > 0) player.currentTime = at;
        if (playing) { var p = player.play(); if (p && p.catch) p.catch(function () {}); }
      });
    }
  }

  function setUpSwitch(form) {
    var box = form.closest(".lib-media");
    var player = box ? box.querySelector("[data-player]") : null;
    document.documentElement.classList.add("tk-js");
    var saved = stored();
    var cookie = readCookie(KEY);
    if (saved && saved !== cookie) remember(saved); /* the server reads the cookie next time */
    if (saved) {
      var radio = form.querySelector('input[name="bw"][value="' + saved + '"]');
      if (radio) { radio.checked = true; if (player) usePlayer(player, saved); }
    }
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || target.name !== "bw") return;
      remember(target.value);
      if (player) usePlayer(player, target.value);
    });
    form.addEventListener("submit", function (event) {
      var checked = form.querySelector('input[name="bw"]:checked');
      if (!checked) return;
      event.preventDefault();
      remember(checked.value);
      if (player) usePlayer(player, checked.value);
    });
  }

  function setUpProgress(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var label = box.querySelector('[data-role="label"]');
    var percent = box.querySelector('[data-role="percent"]');
    var error = box.querySelector('[data-role="error"]');
    var initial = box.getAttribute("data-status");
    if (!url || initial === "ready" || initial === "failed") return;
    var failures = 0;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          failures = 0;
          var value = Math.max(0, Math.min(1, Number(data.progress) || 0));
          if (bar) bar.value = value;
          if (percent) percent.textContent = Math.round(value * 100) + "%";
          if (label && data.label) label.textContent = data.label;
          box.setAttribute("data-status", data.status);
          if (data.status === "failed" && error) {
            error.textContent = data.error_message || "";
            error.classList.remove("lib-hidden");
          }
          if (data.status === "ready" || data.status === "failed") {
            window.location.reload(); /* the page then offers the player and the submit button */
            return;
          }
          window.setTimeout(poll, 1500);
        })
        .catch(function () {
          failures += 1;
          window.setTimeout(poll, Math.min(30000, 1500 * Math.pow(2, failures)));
        });
    }
    window.setTimeout(poll, 1000);
  }

  function start() {
    var forms = document.querySelectorAll("[data-bw-switch]");
    for (var i = 0; i < forms.length; i++) setUpSwitch(forms[i]);
    var boxes = document.querySelectorAll("[data-status-url]");
    for (var j = 0; j < boxes.length; j++) setUpProgress(boxes[j]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
