/* basemap.js: the shipped land, coast and borders, drawn in a pane under the tiles, so a map
 * without tiles, or whose tiles fail to load, still shows where things are. */
function drawBasemap(map, B, bounds) {
  var pane = map.createPane("geoflows-basemap");
  pane.style.zIndex = 150; // under the tile pane (200): tiles cover it when they load
  map.getContainer().style.background = "#dfe8ef";
  var renderer = L.svg({ pane: pane, padding: 0.5 });
  var scale = Math.pow(10, B.precision), shifts = [0];
  if (bounds && bounds[1][1] > 180) shifts.push(360);
  if (bounds && bounds[0][1] < -180) shifts.push(-360);
  // B.rings: every ring's integers in turn (first point absolute, then differences);
  // B.sizes: how many integers each ring has (both unpacked by expandConstants).
  var flat = B.rings, sizes = B.sizes;
  for (var s = 0; s < shifts.length; s++) {
    var polys = [], at = 0;
    for (var r = 0; r < sizes.length; r++) {
      var n = sizes[r], pts = new Array(n / 2), x = 0, y = 0;
      for (var k = 0; k < n; k += 2) {
        x += flat[at + k]; y += flat[at + k + 1];
        pts[k / 2] = [y / scale, x / scale + shifts[s]];
      }
      at += n;
      polys.push([pts]);
    }
    L.polygon(polys, {
      pane: pane, renderer: renderer, interactive: false, color: "#a9a9a9", weight: 0.7,
      fillColor: "#f7f5f0", fillOpacity: 1, className: "geoflows-basemap"
    }).addTo(map);
  }
}
