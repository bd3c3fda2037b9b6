/* basemap.js: the shipped land, coast and borders, drawn in a pane under the tiles, so a map
 * without tiles, or whose tiles fail to load, still shows where things are.
 *
 * B.rings/B.sizes: the land, every ring's integers in turn, first point absolute, then
 * differences (unpacked by expandConstants). The land is filled, each ring outlined in the
 * land colour so no hairline shows where two pieces meet. B.cuts: four integers (west, south,
 * east, north) per rectangle the land was cut along (the clip, the detailed boxes around
 * places): the coasts and borders are the rings' edges but those lying on a cut
 * (geoflows.render._basemap.stroked does the same in Python). */
function basemapRings(flat, sizes) {
  var out = [], at = 0;
  for (var r = 0; r < sizes.length; r++) {
    var n = sizes[r], pts = new Array(n / 2), x = 0, y = 0;
    for (var k = 0; k < n; k += 2) {
      x += flat[at + k]; y += flat[at + k + 1];
      pts[k / 2] = [x, y];
    }
    at += n;
    out.push(pts);
  }
  return out;
}

function onCut(a, b, cuts) {
  for (var c = 0; c < cuts.length; c += 4) {
    var w = cuts[c], s = cuts[c + 1], e = cuts[c + 2], n = cuts[c + 3];
    if (a[0] === b[0] && (a[0] === w || a[0] === e) &&
        Math.min(a[1], b[1]) >= s && Math.max(a[1], b[1]) <= n) return true;
    if (a[1] === b[1] && (a[1] === s || a[1] === n) &&
        Math.min(a[0], b[0]) >= w && Math.max(a[0], b[0]) <= e) return true;
  }
  return false;
}

function basemapStroked(rings, cuts) {
  var out = [];
  for (var r = 0; r < rings.length; r++) {
    var pts = rings[r], m = pts.length, seam = new Array(m - 1), first = -1;
    for (var i = 0; i < m - 1; i++) {
      seam[i] = cuts.length > 0 && onCut(pts[i], pts[i + 1], cuts);
      if (seam[i] && first < 0) first = i;
    }
    if (first < 0) { out.push(pts); continue; }
    var closed = m > 2 && pts[0][0] === pts[m - 1][0] && pts[0][1] === pts[m - 1][1];
    var order = [], flags = [];
    if (closed) {
      // start after the first cut edge, so a line running past the ring's start stays whole
      for (i = first + 1; i < m; i++) order.push(pts[i]);
      for (i = 1; i <= first; i++) order.push(pts[i]);
      for (i = first + 1; i < m - 1; i++) flags.push(seam[i]);
      for (i = 0; i < first; i++) flags.push(seam[i]);
    } else {
      order = pts; flags = seam;
    }
    var line = [order[0]];
    for (i = 0; i < flags.length; i++) {
      if (flags[i]) {
        if (line.length >= 2) out.push(line);
        line = [order[i + 1]];
      } else {
        line.push(order[i + 1]);
      }
    }
    if (line.length >= 2) out.push(line);
  }
  return out;
}

function basemapLatLngs(paths, scale, shift) {
  return paths.map(function (p) {
    return p.map(function (q) { return [q[1] / scale, q[0] / scale + shift]; });
  });
}

function drawBasemap(map, B, bounds) {
  var pane = map.createPane("geoflows-basemap");
  pane.style.zIndex = 150; // under the tile pane (200): tiles cover it when they load
  map.getContainer().style.background = "#dfe8ef";
  var renderer = L.svg({ pane: pane, padding: 0.5 });
  var scale = Math.pow(10, B.precision), shifts = [0];
  if (bounds && bounds[1][1] > 180) shifts.push(360);
  if (bounds && bounds[0][1] < -180) shifts.push(-360);
  var rings = basemapRings(B.rings, B.sizes), lines = basemapStroked(rings, B.cuts || []);
  for (var s = 0; s < shifts.length; s++) {
    var land = basemapLatLngs(rings, scale, shifts[s]).map(function (p) { return [p]; });
    L.polygon(land, {
      pane: pane, renderer: renderer, interactive: false, color: "#f7f5f0", weight: 0.8,
      fillColor: "#f7f5f0", fillOpacity: 1, className: "geoflows-basemap"
    }).addTo(map);
    L.polyline(basemapLatLngs(lines, scale, shifts[s]), {
      pane: pane, renderer: renderer, interactive: false, color: "#a9a9a9", weight: 0.7,
      fill: false, className: "geoflows-basemap-lines"
    }).addTo(map);
  }
}
