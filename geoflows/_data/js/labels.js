/* geoflows place labels: every named place gets a label of real DOM text beside its marker.
 *
 * gfLabels(map, places, options) -> {update(), setVisible(bool)}
 *   places:  [{name, lat, lon, weight, radius?}]; entries without a name get no label.
 *   options: {pane: "gf-labels", zIndex: 550, gap: 3, radius: 4, padding: 2, cell: 64}
 *
 * Layout, on every zoomend / moveend / resize: places in order of weight (heaviest first, then
 * by their index) try four spots beside their marker (right, left, above, below); the first spot
 * that is fully on screen and overlaps no label or marker placed before it wins, otherwise the
 * label is hidden (display:none) until there is room. Placed boxes live in a uniform grid of
 * `cell`-pixel buckets, so a layout of n places costs O(n) box tests, not O(n^2).
 *
 * Safety rule: the name goes into the page with textContent only, never as markup.
 */
function gfLabels(map, places, options) {
  var opts = options || {};
  var paneName = opts.pane || "gf-labels";
  var gap = opts.gap === undefined ? 3 : opts.gap;
  var pad = opts.padding === undefined ? 2 : opts.padding;
  var defaultRadius = opts.radius === undefined ? 4 : opts.radius;
  var cell = opts.cell || 64;

  var pane = map.getPane(paneName) || map.createPane(paneName);
  pane.style.zIndex = opts.zIndex === undefined ? 550 : opts.zIndex;  // above flows (400), below tooltips (650)
  L.DomUtil.addClass(pane, "gf-labels");
  // Leaflet hides .leaflet-zoom-hide during a zoom animation: labels reappear laid out anew.
  L.DomUtil.addClass(pane, "leaflet-zoom-hide");
  // A press on a label selects its text instead of dragging the map.
  L.DomEvent.on(pane, "mousedown touchstart pointerdown dblclick click contextmenu",
    L.DomEvent.stopPropagation);

  // One entry per named place, heaviest first; ties keep the input order (deterministic).
  var items = [];
  for (var i = 0; i < places.length; i++) {
    var p = places[i];
    if (!p || p.name === null || p.name === undefined || String(p.name).trim() === "") continue;
    if (!isFinite(p.lat) || !isFinite(p.lon)) continue;
    var node = document.createElement("div");
    node.className = "gf-label";
    node.setAttribute("dir", "auto");
    node.textContent = String(p.name);
    node.style.display = "none";
    items.push({
      index: i, node: node, lat: +p.lat, lon: +p.lon, weight: +p.weight || 0,
      radius: isFinite(p.radius) ? +p.radius : defaultRadius, w: 0, h: 0, shown: false, x: NaN, y: NaN
    });
  }
  items.sort(function (a, b) { return (b.weight - a.weight) || (a.index - b.index); });
  var frag = document.createDocumentFragment();
  for (var k = 0; k < items.length; k++) frag.appendChild(items[k].node);
  pane.appendChild(frag);

  var visible = true, measured = false;

  // Label sizes do not change with zoom: measure once, all reads after all writes (one reflow).
  function measure() {
    var k;
    for (k = 0; k < items.length; k++) {
      items[k].node.style.visibility = "hidden";
      items[k].node.style.display = "";
    }
    for (k = 0; k < items.length; k++) {
      items[k].w = items[k].node.offsetWidth;
      items[k].h = items[k].node.offsetHeight;
      // A name cut short by max-width shows whole on hover (an attribute value, not markup).
      if (items[k].node.scrollWidth > items[k].w) items[k].node.title = items[k].node.textContent;
    }
    for (k = 0; k < items.length; k++) {
      items[k].node.style.display = "none";
      items[k].node.style.visibility = "";
      items[k].shown = false;
    }
    measured = items.length === 0 || items[0].w > 0;
  }

  function update() {
    if (!visible) return;
    if (!measured) measure();
    var size = map.getSize(), W = size.x, H = size.y;
    var cols = Math.max(1, Math.ceil(W / cell)), rows = Math.max(1, Math.ceil(H / cell));
    var grid = new Array(cols * rows);
    var boxes = [];  // flat x0, y0, x1, y1 of every box placed so far
    var centerLon = map.getCenter().lng;

    function cellsOf(x0, y0, x1, y1) {
      return [Math.max(0, Math.floor(x0 / cell)), Math.max(0, Math.floor(y0 / cell)),
        Math.min(cols - 1, Math.floor(x1 / cell)), Math.min(rows - 1, Math.floor(y1 / cell))];
    }
    function free(x0, y0, x1, y1) {
      var c = cellsOf(x0, y0, x1, y1);
      for (var cy = c[1]; cy <= c[3]; cy++) {
        for (var cx = c[0]; cx <= c[2]; cx++) {
          var bucket = grid[cy * cols + cx];
          if (!bucket) continue;
          for (var b = 0; b < bucket.length; b++) {
            var o = bucket[b] * 4;
            if (x0 < boxes[o + 2] && x1 > boxes[o] && y0 < boxes[o + 3] && y1 > boxes[o + 1]) {
              return false;
            }
          }
        }
      }
      return true;
    }
    function insert(x0, y0, x1, y1) {
      if (x1 < 0 || y1 < 0 || x0 > W || y0 > H) return;
      var id = boxes.length / 4;
      boxes.push(x0, y0, x1, y1);
      var c = cellsOf(x0, y0, x1, y1);
      for (var cy = c[1]; cy <= c[3]; cy++) {
        for (var cx = c[0]; cx <= c[2]; cx++) {
          var key = cy * cols + cx;
          (grid[key] || (grid[key] = [])).push(id);
        }
      }
    }

    // Reads and decisions first; DOM writes after, and only where something changed. Positions
    // are kept in layer coordinates, which a pan does not change.
    var origin = map.containerPointToLayerPoint([0, 0]);
    var changes = [];
    for (var k = 0; k < items.length; k++) {
      var it = items[k];
      // The copy of the place nearest the view's centre (maps across the antimeridian).
      var lon = it.lon + 360 * Math.round((centerLon - it.lon) / 360);
      var pt = map.latLngToContainerPoint([it.lat, lon]);
      var r = it.radius, w = it.w, h = it.h, placed = false, x = 0, y = 0;
      if (pt.x + r + gap + w >= 0 && pt.x - r - gap - w <= W &&
          pt.y + r + gap + h >= 0 && pt.y - r - gap - h <= H) {
        var spots = [
          pt.x + r + gap, pt.y - h / 2,            // right
          pt.x - r - gap - w, pt.y - h / 2,        // left
          pt.x - w / 2, pt.y - r - gap - h,        // above
          pt.x - w / 2, pt.y + r + gap             // below
        ];
        for (var s = 0; s < 8; s += 2) {
          var x0 = spots[s], y0 = spots[s + 1], x1 = x0 + w, y1 = y0 + h;
          if (x0 < 0 || y0 < 0 || x1 > W || y1 > H) continue;
          if (!free(x0 - pad, y0 - pad, x1 + pad, y1 + pad)) continue;
          placed = true; x = Math.round(x0 + origin.x); y = Math.round(y0 + origin.y);
          insert(x0, y0, x1, y1);
          break;
        }
      }
      // The marker stays clear of the labels of less important places.
      insert(pt.x - r, pt.y - r, pt.x + r, pt.y + r);
      if (placed !== it.shown || (placed && (x !== it.x || y !== it.y))) {
        changes.push(it, placed, x, y);
      }
    }
    for (var c = 0; c < changes.length; c += 4) {
      var item = changes[c], show = changes[c + 1];
      if (show) {
        L.DomUtil.setPosition(item.node, L.point(changes[c + 2], changes[c + 3]));
        item.x = changes[c + 2]; item.y = changes[c + 3];
        if (!item.shown) item.node.style.display = "";
      } else {
        item.node.style.display = "none";
      }
      item.shown = show;
    }
    pane.setAttribute("data-gf-labels-shown", String(countShown()));
  }

  function countShown() {
    var n = 0;
    for (var k = 0; k < items.length; k++) if (items[k].shown) n++;
    return n;
  }

  function setVisible(on) {
    visible = !!on;
    pane.style.display = visible ? "" : "none";
    if (visible) update();
  }

  map.on("zoomend moveend resize viewreset", update);
  update();
  return { update: update, setVisible: setVisible };
}
