/* Tongke learning platform: the countdown of a timed test, and a knowledge graph wider than
   the screen opened where it matters (the first point to work on, or its middle). Nothing else.
   Served by Tongke itself (CSP script-src 'self'). The server keeps the time and refuses late
   answers whatever the countdown shows; the pages work without this file. */
(function () {
  "use strict";

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = h ? (m < 10 ? "0" + m : "" + m) : "" + m;
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" + s : s);
  }

  function start(clock) {
    var left = parseInt(clock.getAttribute("data-remaining"), 10);
    var shown = clock.querySelector(".lrn-left");
    if (isNaN(left) || !shown) return;
    var end = Date.now() + left * 1000;
    var timer = window.setInterval(function () {
      var now = Math.max(0, Math.round((end - Date.now()) / 1000));
      shown.textContent = format(now);
      if (now === 0) {
        window.clearInterval(timer);
        clock.classList.add("lrn-clock-up");
        shown.textContent = clock.getAttribute("data-up") || "0:00";
      }
    }, 1000);
  }

  function centre(box) {
    if (box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight) return;
    var target = box.querySelector(".kg-highlight rect");
    var x = box.scrollWidth / 2;
    var y = 0;
    if (target) {
      var svg = box.querySelector("svg");
      var scale = svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
        ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
      x = (parseFloat(target.getAttribute("x")) + 75) * scale;
      y = Math.max(0, parseFloat(target.getAttribute("y")) * scale - box.clientHeight / 3);
    }
    box.scrollLeft = Math.max(0, x - box.clientWidth / 2);
    box.scrollTop = y;
  }

  function init() {
    var clocks = document.querySelectorAll("[data-testid=clock][data-remaining]");
    for (var i = 0; i < clocks.length; i++) start(clocks[i]);
    var graphs = document.querySelectorAll(".lrn-graph");
    for (var j = 0; j < graphs.length; j++) centre(graphs[j]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
