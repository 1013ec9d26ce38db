// journeymap team app: pan and zoom on the map, confirmations, CSRF header for htmx.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (e) {
    if (token) e.detail.headers["X-CSRF-Token"] = token.content;
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });
  function start() {
    var svg = document.querySelector("#map-canvas svg");
    if (!svg || typeof window.svgPanZoom !== "function") return;
    var box = svg.viewBox && svg.viewBox.baseVal;
    var canvas = document.getElementById("map-canvas");
    // the map opens at its own size (readable text), not shrunk to the window
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = "100%";
    var zoom = window.svgPanZoom(svg, {
      zoomEnabled: true, controlIconsEnabled: false, fit: false, center: false,
      minZoom: 0.1, maxZoom: 8, zoomScaleSensitivity: 0.3, dblClickZoomEnabled: true
    });
    function actual() {
      if (!box || !box.width) return;
      var sizes = zoom.getSizes();
      zoom.zoom(box.width / (sizes.viewBox.width * sizes.realZoom) * zoom.getZoom());
      zoom.pan({ x: 0, y: 0 });
    }
    actual();
    canvas.setAttribute("data-ready", "1");
    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-zoom");
        if (what === "in") zoom.zoomIn();
        else if (what === "out") zoom.zoomOut();
        else if (what === "fit") { zoom.fit(); zoom.center(); }
        else actual();
      });
    });
    window.journeymapZoom = zoom;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
