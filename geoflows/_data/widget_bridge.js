/* geoflows widget bridge: runs inside the map page only when the page is framed by a FlowWidget.
 * The map container announces its state with a "geoflows:change" event; the bridge passes it to
 * the widget, and passes the widget's "at" day back as a "geoflows:set-at" event. Every message
 * to the widget carries the token the widget wrote into this page when it loaded it (the saved
 * page holds a placeholder): a page the frame is navigated to cannot know it. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var TOKEN = "{geoflows-widget-token}";
  var DAY = /^\d{4}-\d{2}-\d{2}$/;
  var container = document.querySelector(".folium-map");
  if (!container) return;
  container.addEventListener("geoflows:change", function (e) {
    var d = e.detail || {};
    window.parent.postMessage({
      type: "geoflows:state", token: TOKEN, selected: d.selected || [], visible: d.visible || [],
      at: d.at === undefined ? null : d.at, window: d.window || [], bounds: d.bounds || null
    }, "*");
  });
  window.addEventListener("message", function (e) {
    if (e.source !== window.parent) return;
    var d = e.data;
    if (!d || d.type !== "geoflows:set") return;
    if (d.at !== null && !(typeof d.at === "string" && DAY.test(d.at))) return;
    container.dispatchEvent(new CustomEvent("geoflows:set-at", { detail: d.at }));
  });
  window.parent.postMessage({ type: "geoflows:ready", token: TOKEN }, "*");
})();
