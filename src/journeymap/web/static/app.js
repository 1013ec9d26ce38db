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
    var canvas = document.getElementById("map-canvas");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = "100%";
    var zoom = window.svgPanZoom(svg, {
      zoomEnabled: true, controlIconsEnabled: false, fit: true, center: true,
      minZoom: 0.1, maxZoom: 8, zoomScaleSensitivity: 0.3, dblClickZoomEnabled: true
    });
    // realZoom is screen pixels per map unit: 1 is the map's own size, its text readable.
    // (svg-pan-zoom moves the viewBox into a transform, so it is read from getSizes.)
    function actual() {
      zoom.zoom(zoom.getZoom() / zoom.getSizes().realZoom);
      var sizes = zoom.getSizes();
      var spare = sizes.width - sizes.viewBox.width;
      zoom.pan({ x: spare > 0 ? spare / 2 : 0, y: 0 });
    }
    // a map that fits the canvas readably opens whole; a larger one at its own size, from
    // its top left (where its title and first stage are), not shrunk to a strip
    var whole = zoom.getSizes().realZoom;
    if (whole < 0.75 || whole > 1) actual();
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
    window.addEventListener("resize", function () { zoom.resize(); });
    window.journeymapZoom = zoom;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
