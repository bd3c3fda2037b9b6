/* geoflows place labels: every named place gets a label of real DOM text beside its marker.
 *
 * gfLabels(map, places, options) -> {update(), setVisible(bool), setShown(flags, radii), placed()}
 *   places:  [{name, lat, lon, weight, radius?}]; entries without a name get no label.
 *   options: {pane: "gf-labels", zIndex: 550, gap: 3, radius: 4, padding: 2, cell: 64,
 *             repeatDistance: 48}
 *
 * Layout, on every moveend (Leaflet fires one after each zoom, pan and resize): every place's
 * marker (named or not) is reserved first; then places in order of weight (heaviest first, then
 * by their index) try four spots beside their marker (right, left, above, below). The first spot
 * that is fully on screen and overlaps no label placed before it and no marker wins; failing
 * that, the first that covers only markers of less important places (so a heavy place in a
 * cluster keeps its name); otherwise the label is hidden (display:none) until there is room.
 * A name already shown for a place less than repeatDistance px away is not shown again. The
 * map's controls (zoom buttons, search box, legend) count as placed labels: none hides a name.
 * Placed boxes live in a uniform grid of `cell`-pixel buckets, so a layout of n places costs
 * O(n) box tests, not O(n^2).
 *
 * The returned update() lays out now (the render code calls it after changing the view without
 * events); setVisible(false) hides every label and stops the layout until setVisible(true).
 * setShown(flags, radii) says which places are on the map now (flags[i] false: the place has no
 * flow shown, so neither its marker nor its name takes room) and how large their markers are
 * (radii[i], px; optional), both indexed like `places`, then lays out again.
 *
 * Several layers on one map (map._gfLabels, in the order they were made, which is the order
 * they lay out on a moveend): the names an earlier layer shows take room like placed labels,
 * and a name it shows for a place near one of this layer's is not shown again; placed()
 * gives them.
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
  // Two places of the same name closer than this (px) show the name once: the heavier one's.
  var repeat = opts.repeatDistance === undefined ? 48 : opts.repeatDistance;

  var pane = map.getPane(paneName) || map.createPane(paneName);
  // Above the flows (overlayPane, 400), below tooltips (650) and popups (700).
  pane.style.zIndex = opts.zIndex === undefined ? 550 : opts.zIndex;
  L.DomUtil.addClass(pane, "gf-labels");
  // Leaflet hides .leaflet-zoom-hide during a zoom animation: labels reappear laid out anew.
  L.DomUtil.addClass(pane, "leaflet-zoom-hide");
  // Dragging on a label pans the map as anywhere else; a double (or triple) click selects the
  // label's text instead of zooming, and the context menu offers to copy it. Leaflet starts its
  // drag (which blocks text selection) on the first press, so the second press of a double
  // click on the same label is kept from the map. Timed per event type: one press fires
  // pointerdown and mousedown (or touchstart) together.
  var lastPress = {};
  L.DomEvent.on(pane, "pointerdown mousedown touchstart", function (e) {
    var now = Date.now(), last = lastPress[e.type];
    lastPress[e.type] = { target: e.target, time: now };
    if (last && last.target === e.target && now - last.time < 500) L.DomEvent.stopPropagation(e);
  });
  L.DomEvent.on(pane, "dblclick contextmenu", L.DomEvent.stopPropagation);

  // Every place's marker, and one label entry per named place, heaviest first; ties keep the
  // input order (deterministic).
  function finite(v) { return v !== null && v !== undefined && v !== "" && isFinite(v); }
  var marks = [], items = [];
  for (var i = 0; i < places.length; i++) {
    var p = places[i];
    if (!p || !finite(p.lat) || !finite(p.lon)) continue;
    marks.push({ lat: +p.lat, lon: +p.lon, radius: finite(p.radius) ? +p.radius : defaultRadius,
      weight: +p.weight || 0, index: i, rank: 0 });
    if (p.name === null || p.name === undefined || String(p.name).trim() === "") continue;
    var node = document.createElement("div");
    node.className = "gf-label";
    node.setAttribute("dir", "auto");
    node.textContent = String(p.name);
    node.style.display = "none";
    items.push({
      index: i, mark: marks.length - 1, node: node, text: node.textContent, weight: +p.weight || 0,
      w: 0, h: 0, shown: false, x: NaN, y: NaN
    });
  }
  function heavierFirst(a, b) { return (b.weight - a.weight) || (a.index - b.index); }
  items.sort(heavierFirst);
  var ranked = marks.slice().sort(heavierFirst);
  for (var j = 0; j < ranked.length; j++) ranked[j].rank = j;
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
    try {
      map.getCenter();
    } catch (e) {
      return;  // no view yet: the first setView / fitBounds fires viewreset and moveend
    }
    if (!measured) measure();
    var size = map.getSize(), W = size.x, H = size.y;
    var cols = Math.max(1, Math.ceil(W / cell)), rows = Math.max(1, Math.ceil(H / cell));
    var grid = new Array(cols * rows);
    var boxes = [];  // flat x0, y0, x1, y1 of every box placed so far
    var owners = [];  // per box: -1 for a label, else the rank of the place whose marker it is
    var centerLon = map.getCenter().lng;

    function cellsOf(x0, y0, x1, y1) {
      return [Math.max(0, Math.floor(x0 / cell)), Math.max(0, Math.floor(y0 / cell)),
        Math.min(cols - 1, Math.floor(x1 / cell)), Math.min(rows - 1, Math.floor(y1 / cell))];
    }
    // Free of every label, and of every marker ranked before `below` (Infinity: all markers).
    function free(x0, y0, x1, y1, below) {
      var c = cellsOf(x0, y0, x1, y1);
      for (var cy = c[1]; cy <= c[3]; cy++) {
        for (var cx = c[0]; cx <= c[2]; cx++) {
          var bucket = grid[cy * cols + cx];
          if (!bucket) continue;
          for (var b = 0; b < bucket.length; b++) {
            var o = bucket[b] * 4;
            if (owners[bucket[b]] < below && x0 < boxes[o + 2] && x1 > boxes[o] && y0 < boxes[o + 3] && y1 > boxes[o + 1]) {
              return false;
            }
          }
        }
      }
      return true;
    }
    function insert(x0, y0, x1, y1, owner) {
      if (x1 < 0 || y1 < 0 || x0 > W || y0 > H) return;
      var id = boxes.length / 4;
      boxes.push(x0, y0, x1, y1);
      owners.push(owner);
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
    // The map's controls (zoom, search, legend, ...) sit above every pane: a label under one
    // could not be read, so their boxes are taken like placed labels.
    var box = map.getContainer().getBoundingClientRect();
    var controls = map.getContainer().querySelectorAll(".leaflet-control");
    for (var n = 0; n < controls.length; n++) {
      var cr = controls[n].getBoundingClientRect();
      if (cr.width > 0 && cr.height > 0) {
        insert(cr.left - box.left, cr.top - box.top, cr.right - box.left, cr.bottom - box.top, -1);
      }
    }
    var named = Object.create(null);  // name -> flat x, y of the places labelled with it
    var earlier = map._gfLabels || [];
    for (var ei = 0; ei < earlier.length && earlier[ei] !== api; ei++) {
      var theirs = earlier[ei].placed();
      for (var t = 0; t < theirs.length; t++) {
        var o = theirs[t];
        insert(o.x - origin.x, o.y - origin.y, o.x - origin.x + o.w, o.y - origin.y + o.h, -1);
        (named[o.text] || (named[o.text] = [])).push(o.ax - origin.x, o.ay - origin.y);
      }
    }
    var px = new Float64Array(marks.length), py = new Float64Array(marks.length), m;
    for (m = 0; m < marks.length; m++) {
      // The copy of the place nearest the view's centre (maps across the antimeridian).
      var lon = marks[m].lon + 360 * Math.round((centerLon - marks[m].lon) / 360);
      var q = map.latLngToContainerPoint([marks[m].lat, lon]), rm = marks[m].radius;
      px[m] = q.x; py[m] = q.y;
      if (!marks[m].off) insert(q.x - rm, q.y - rm, q.x + rm, q.y + rm, marks[m].rank);
    }
    var changes = [];
    for (var k = 0; k < items.length; k++) {
      var it = items[k], pt = { x: px[it.mark], y: py[it.mark] };
      var r = marks[it.mark].radius, w = it.w, h = it.h, placed = false, x = 0, y = 0;
      var same = named[it.text], near = false;
      for (var d = 0; same && d < same.length && !near; d += 2) {
        near = Math.abs(same[d] - pt.x) < repeat && Math.abs(same[d + 1] - pt.y) < repeat;
      }
      if (!near && !marks[it.mark].off && pt.x + r + gap + w >= 0 && pt.x - r - gap - w <= W &&
          pt.y + r + gap + h >= 0 && pt.y - r - gap - h <= H) {
        var spots = [
          pt.x + r + gap, pt.y - h / 2,            // right
          pt.x - r - gap - w, pt.y - h / 2,        // left
          pt.x - w / 2, pt.y - r - gap - h,        // above
          pt.x - w / 2, pt.y + r + gap             // below
        ];
        var limits = [Infinity, marks[it.mark].rank];
        for (var pass = 0; pass < 2 && !placed; pass++) {
          for (var s = 0; s < 8; s += 2) {
            var x0 = spots[s], y0 = spots[s + 1], x1 = x0 + w, y1 = y0 + h;
            if (x0 < 0 || y0 < 0 || x1 > W || y1 > H) continue;
            if (!free(x0 - pad, y0 - pad, x1 + pad, y1 + pad, limits[pass])) continue;
            placed = true; x = Math.round(x0 + origin.x); y = Math.round(y0 + origin.y);
            insert(x0, y0, x1, y1, -1);
            (named[it.text] || (named[it.text] = [])).push(pt.x, pt.y);
            it.ax = pt.x + origin.x; it.ay = pt.y + origin.y;
            break;
          }
        }
      }
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

  function setShown(flags, radii) {
    for (var m = 0; m < marks.length; m++) {
      var i = marks[m].index;
      marks[m].off = !!flags && !flags[i];
      if (radii && finite(radii[i]) && radii[i] > 0) marks[m].radius = +radii[i];
    }
    update();
  }

  function setVisible(on) {
    visible = !!on;
    pane.style.display = visible ? "" : "none";
    if (visible) update();
  }

  // The names shown now, in layer coordinates: box (x, y, w, h), text, and its place (ax, ay).
  function placed() {
    var out = [];
    for (var k = 0; visible && k < items.length; k++) {
      var it = items[k];
      if (it.shown) out.push({ x: it.x, y: it.y, w: it.w, h: it.h, text: it.text, ax: it.ax, ay: it.ay });
    }
    return out;
  }

  var api = { update: update, setVisible: setVisible, setShown: setShown, placed: placed };
  // Leaflet ends every zoom and every resize (invalidateSize) with a moveend.
  map.on("moveend viewreset", update);
  update();
  return api;
}
