/* canvas.js: one Leaflet layer that draws every flow on one canvas in one pass, and finds
 * the flow under the pointer with a grid of screen cells (built lazily after each draw). */
var CELL = 24, HIT_SLOP = 4;

function styleBatches(P) {
  // Flows that share colour, width and dash are stroked as one path; thick ones first so
  // thin ones stay visible on top.
  var keyOf = {}, batches = [];
  for (var i = 0; i < P.n; i++) {
    var unknown = P.unknown[i] === 1;
    var w = unknown ? P.unknownWidth : Math.round(P.width[i] * 2) / 2;
    var dash = unknown ? P.unknownDash : P.dashes[P.conf[i]];
    var key = P.color[i] + "|" + w + "|" + dash;
    var b = keyOf[key];
    if (b === undefined) {
      b = keyOf[key] = batches.length;
      batches.push({ color: P.colors[P.color[i]], width: w, dash: dash ? dash.split(" ").map(Number) : [], members: [] });
    }
    batches[b].members.push(i);
  }
  batches.sort(function (a, b) { return b.width - a.width; });
  return batches;
}

// How much longer dashes and gaps are drawn now: 1 while the dashed lines in view make at
// most DASH_BUDGET dashes, then in proportion (at most 16). The rasteriser's cost grows with
// the number of dashes, and tens of thousands of finely dotted lines hide their pattern
// anyway; the ratio of dash to gap, which tells the confidence levels apart, is kept. Zooming
// in on a few lines restores the fine pattern. A line's length on screen is taken from its
// bounding box, at most the view's width + height.
var DASH_BUDGET = 250000;
function dashScale(batches, inView, box, f) {
  var dashes = 0, reach = f.w + f.h;
  for (var b = 0; b < batches.length; b++) {
    var dash = batches[b].dash, members = batches[b].members, period = 0;
    for (var d = 0; d < dash.length; d++) period += dash[d];
    if (!period) continue;
    for (var m = 0; m < members.length; m++) {
      var i = members[m];
      if (!inView[i]) continue;
      var length = (box[4 * i + 2] - box[4 * i] + box[4 * i + 3] - box[4 * i + 1]) * f.S;
      dashes += Math.min(length, reach) / period;
    }
  }
  return { dashes: Math.round(dashes), scale: Math.max(1, Math.min(16, Math.ceil(dashes / DASH_BUDGET))) };
}

var FlowCanvas = L.Layer.extend({
  initialize: function (P, paths, places, state) {
    this.P = P; this.paths = paths; this.places = places; this.state = state;
    this.batches = styleBatches(P);
    this.proj = new Float64Array(paths.xy.length);
    this.grid = null; this.hover = -1;
    this.isGeoflows = true;
    this.drawnArrows = 0; this.drawnPlaces = 0; this.inView = 0;
  },

  onAdd: function (map) {
    this._canvas = L.DomUtil.create("canvas", "geoflows-canvas leaflet-zoom-hide");
    this._top = L.DomUtil.create("canvas", "geoflows-canvas-hover leaflet-zoom-hide");
    this._canvas.setAttribute("aria-hidden", "true");
    this._top.setAttribute("aria-hidden", "true");
    map.getPane("overlayPane").appendChild(this._canvas);
    map.getPane("overlayPane").appendChild(this._top);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    this.redraw();
  },

  onRemove: function (map) {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    L.DomUtil.remove(this._canvas); L.DomUtil.remove(this._top);
  },

  // Pixel transform of the current view: canvas x = X * S - ox (X normalised mercator).
  _frame: function () {
    var map = this._map, size = map.getSize();
    var tl = map.containerPointToLayerPoint([0, 0]), origin = map.getPixelOrigin();
    var S = 256 * Math.pow(2, map.getZoom());
    return { w: size.x, h: size.y, S: S, ox: origin.x + tl.x, oy: origin.y + tl.y, tl: tl };
  },

  _setup: function (canvas, f) {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(f.w * ratio); canvas.height = Math.round(f.h * ratio);
    canvas.style.width = f.w + "px"; canvas.style.height = f.h + "px";
    L.DomUtil.setPosition(canvas, f.tl);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  },

  redraw: function () {
    if (!this._map) return;
    var f = this.f = this._frame(), P = this.P, paths = this.paths, st = this.state;
    var ctx = this._setup(this._canvas, f);
    this._setup(this._top, f);
    this.grid = null; this.hover = -1;
    var pad = 40 / f.S, vx0 = f.ox / f.S - pad, vy0 = f.oy / f.S - pad;
    var vx1 = (f.ox + f.w) / f.S + pad, vy1 = (f.oy + f.h) / f.S + pad, box = paths.box;
    var inView = new Uint8Array(P.n), count = 0;
    for (var i = 0; i < P.n; i++) {
      if (!st.drawn[i]) continue;
      if (box[4 * i + 2] < vx0 || box[4 * i] > vx1 || box[4 * i + 3] < vy0 || box[4 * i + 1] > vy1) continue;
      inView[i] = 1; count++;
      this._project(i, f);
    }
    this.inView = count; this.inViewMask = inView;
    var dim = st.focus ? 0.12 : 1;
    ctx.lineJoin = "miter"; ctx.miterLimit = 2; // cheaper than round joins, no long spikes
    this._bands(ctx, inView, dim);
    var dashing = dashScale(this.batches, inView, box, f);
    this.dashScale = dashing.scale; this.dashes = dashing.dashes;
    for (var pass = 0; pass < (st.focus ? 2 : 1); pass++) {
      for (var b = 0; b < this.batches.length; b++) this._stroke(ctx, this.batches[b], inView, pass, dim);
    }
    ctx.setLineDash([]);
    this._overLines(ctx, inView, dim);
    this.drawnArrows = P.arrows && count <= P.arrowLimit ? this._arrows(ctx, inView, f) : 0;
    this.drawnPlaces = this._places(ctx, f);
    ctx.globalAlpha = 1;
  },

  // The claims behind drawn flow i: widths of its lowest (lo) and highest (hi) claim, and
  // whether the highest is open above ("more than") or every claim is open below ("up to").
  spread: function (i) {
    var P = this.P, st = this.state, members = P.claim[i] >= 0 ? P.claims[P.claim[i]] : [i];
    var lo = Infinity, hi = st.band[i] > 0 ? st.band[i] : P.width[i], top = 0, above = 0, below = 1;
    for (var k = 0; k < members.length; k++) {
      var j = members[k];
      if (members.length > 1 && !st.visible[j]) continue;
      if (P.unknown[j] === 1) continue;
      lo = Math.min(lo, P.core[j] > 0 ? P.core[j] : P.width[j]);
      if (P.width[j] >= top) { top = P.width[j]; above = P.open[j] === 1 ? 1 : 0; }
      if (P.open[j] !== 2) below = 0;
    }
    return { lo: lo === Infinity ? 0 : lo, hi: hi, above: above && top >= hi - 0.01, below: below };
  },

  // A diagonal hatch in one colour (cached): the open, unknown part of a claim.
  _hatch: function (ctx, color) {
    var cache = this._hatches || (this._hatches = {});
    if (cache[color]) return cache[color];
    var c = document.createElement("canvas"), g;
    c.width = c.height = 6;
    g = c.getContext("2d");
    g.strokeStyle = color; g.lineWidth = 1.6;
    g.beginPath(); g.moveTo(-1, 7); g.lineTo(7, -1); g.moveTo(5, 7); g.lineTo(7, 5);
    g.moveTo(-1, 1); g.lineTo(1, -1); g.stroke();
    return (cache[color] = ctx.createPattern(c, "repeat"));
  },

  // Claim bands under the lines: light up to the highest claim, hatched beyond the line when
  // the highest claim is open-ended ("more than 200"). The lowest claim is never wider than
  // the line (the line is one of the claims): _overLines marks it inside the line.
  _bands: function (ctx, inView, dim) {
    var P = this.P, st = this.state;
    ctx.setLineDash([]); ctx.lineCap = "butt";
    for (var i = 0; i < P.n; i++) {
      if (!inView[i] || !st.drawn[i] || P.unknown[i] === 1) continue;
      var s = P.claim[i] >= 0 || st.band[i] > 0 || P.open[i] === 1 ? this.spread(i) : null;
      if (!s) continue;
      var fade = st.focus && !st.focus[i] ? dim : 1, color = P.colors[P.color[i]];
      if (s.above) {
        ctx.globalAlpha = 0.9 * fade; ctx.strokeStyle = this._hatch(ctx, color);
        ctx.lineWidth = s.hi + 2 * Math.max(4, 0.5 * s.hi);
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
      if (st.band[i] > 0) {
        ctx.globalAlpha = 0.3 * fade; ctx.strokeStyle = color; ctx.lineWidth = st.band[i];
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
    }
  },

  // Over the lines. A lowest claim narrower than the line: a darker strip inside it, as wide
  // as that claim. A claim known only as "up to 500": white hatching on its line, so it reads
  // as an upper bound (it may be far less), not as a measured volume.
  _overLines: function (ctx, inView, dim) {
    var P = this.P, st = this.state;
    ctx.lineCap = "butt";
    for (var i = 0; i < P.n; i++) {
      if (!inView[i] || !st.drawn[i] || P.unknown[i] === 1) continue;
      var banded = P.claim[i] >= 0 || st.band[i] > 0;
      if (!banded && P.open[i] !== 2) continue;
      var s = this.spread(i), fade = st.focus && !st.focus[i] ? dim : 1;
      if (banded && s.lo > 0 && s.lo < P.width[i] - 1.5) {
        ctx.globalAlpha = 0.35 * fade; ctx.strokeStyle = "#000"; ctx.lineWidth = s.lo;
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
      if (P.open[i] === 2 || s.below) {
        ctx.globalAlpha = 0.75 * fade;
        ctx.strokeStyle = this._hatch(ctx, "#ffffff"); ctx.lineWidth = Math.max(1, P.width[i] - 1.5);
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
      }
    },

  // One style batch: each flow is its own path and stroke. Overlapping thick lines in one
  // path cost the rasteriser far more than many small paths (measured at 100k flows: one
  // stroke per 32 flows 6.4 s to the second frame, one per flow 4.6 s).
  _stroke: function (ctx, batch, inView, pass, dim) {
    var st = this.state, dash = batch.dash, k = this.dashScale, members = batch.members;
    ctx.globalAlpha = st.focus && pass === 0 ? dim : 0.85;
    ctx.strokeStyle = batch.color; ctx.lineWidth = batch.width;
    ctx.setLineDash(k === 1 ? dash : dash.map(function (x) { return x * k; }));
    ctx.lineCap = dash.length ? "butt" : "round";
    for (var m = 0; m < members.length; m++) {
      var j = members[m];
      if (!inView[j]) continue;
      if (st.focus && (pass === 0) === Boolean(st.focus[j])) continue;
      ctx.beginPath(); this._trace(ctx, j); ctx.stroke();
    }
  },

  // Project flow i into this.proj, shifted sideways by its corridor offset (pixels).
  _project: function (i, f) {
    var xy = this.paths.xy, pr = this.proj, a = this.paths.start[i], b = this.paths.end[i];
    for (var k = a; k < b; k++) {
      pr[2 * k] = xy[2 * k] * f.S - f.ox; pr[2 * k + 1] = xy[2 * k + 1] * f.S - f.oy;
    }
    var d = this.P.offset[i];
    if (!d) return;
    this._shifted = this._shifted || {};
    var length = 0;
    for (k = a + 1; k < b; k++) length += Math.hypot(pr[2 * k] - pr[2 * k - 2], pr[2 * k + 1] - pr[2 * k - 1]);
    // A line only a few pixels long at this zoom is shifted less, so it stays by its ends.
    d *= Math.min(1, length / (8 * Math.abs(d)));
    var out = this._shifted[i] = new Float64Array(2 * (b - a));
    for (k = a; k < b; k++) {
      var p = Math.max(k - 1, a), q = Math.min(k + 1, b - 1);
      var dx = pr[2 * q] - pr[2 * p], dy = pr[2 * q + 1] - pr[2 * p + 1], len = Math.hypot(dx, dy) || 1;
      out[2 * (k - a)] = pr[2 * k] - dy / len * d; out[2 * (k - a) + 1] = pr[2 * k + 1] + dx / len * d;
    }
    this.state.shift[i] = d;
  },

  // The projected vertices of flow i: {pts, from, to} in a flat x,y array.
  _points: function (i) {
    if (this.P.offset[i] && this._shifted && this._shifted[i]) {
      return { pts: this._shifted[i], from: 0, to: this._shifted[i].length / 2 };
    }
    return { pts: this.proj, from: this.paths.start[i], to: this.paths.end[i] };
  },

  _trace: function (ctx, i) {
    var q = this._points(i), pts = q.pts;
    ctx.moveTo(pts[2 * q.from], pts[2 * q.from + 1]);
    for (var k = q.from + 1; k < q.to; k++) ctx.lineTo(pts[2 * k], pts[2 * k + 1]);
  },

  _arrows: function (ctx, inView, f) {
    var P = this.P, mid = this.paths.mid, drawn = 0, st = this.state;
    for (var i = 0; i < P.n; i++) {
      if (!inView[i]) continue;
      var dx = mid[4 * i + 2], dy = mid[4 * i + 3], s = st.shift[i] || 0;
      var ax = mid[4 * i] * f.S - f.ox - dy * s, ay = mid[4 * i + 1] * f.S - f.oy + dx * s;
      var w = P.unknown[i] ? P.unknownWidth : P.width[i], size = 5 + w * 1.2;
      var tx = ax + dx * size * 0.5, ty = ay + dy * size * 0.5;
      ctx.globalAlpha = st.focus && !st.focus[i] ? 0.12 : 0.95;
      ctx.fillStyle = P.colors[P.color[i]];
      ctx.beginPath();
      ctx.moveTo(tx, ty);
      ctx.lineTo(tx - dx * size - dy * size * 0.6, ty - dy * size + dx * size * 0.6);
      ctx.lineTo(tx - dx * size + dy * size * 0.6, ty - dy * size - dx * size * 0.6);
      ctx.closePath(); ctx.fill();
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 0.8; ctx.stroke();
      if (P.event && P.event[i]) {
        // an event (a visit, a strike) has no quantity: a diamond behind its arrow says so
        var cx = ax - dx * size * 1.6, cy = ay - dy * size * 1.6, r = 5.5;
        ctx.beginPath();
        ctx.moveTo(cx, cy - r); ctx.lineTo(cx + r, cy); ctx.lineTo(cx, cy + r); ctx.lineTo(cx - r, cy);
        ctx.closePath(); ctx.fill(); ctx.stroke();
      }
      drawn++;
    }
    return drawn;
  },

  // Place circles, on each copy of the world a flow may end on (unwrapped longitudes).
  _places: function (ctx, f) {
    var P = this.P, pl = this.places, st = this.state, drawn = 0;
    this.placePx = [];
    if (!P.markers) return 0;
    ctx.globalAlpha = 1; ctx.lineWidth = 1; ctx.strokeStyle = "#222";
    for (var p = 0; p < pl.n; p++) {
      var r = st.radius[p];
      if (!r) continue;
      for (var copy = -1; copy <= 1; copy++) {
        var x = mercX(pl.lon[p] + 360 * copy) * f.S - f.ox, y = mercY(pl.lat[p]) * f.S - f.oy;
        if (x < -r || y < -r || x > f.w + r || y > f.h + r) continue;
        ctx.fillStyle = st.place === p ? "#ffd54f" : "#fff";
        ctx.globalAlpha = st.focus && st.place !== p && !st.placeFocus[p] ? 0.35 : 0.95;
        ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill();
        ctx.globalAlpha = 1; ctx.stroke();
        this.placePx.push([p, x, y, r]);
        drawn++;
      }
    }
    return drawn;
  },

  _buildGrid: function () {
    var f = this.f, cols = Math.ceil(f.w / CELL) + 1, rows = Math.ceil(f.h / CELL) + 1;
    var cells = new Array(cols * rows), P = this.P;
    for (var i = 0; i < P.n; i++) {
      if (!this.inViewMask[i]) continue;
      var band = this.state.band[i];
      var q = this._points(i), pts = q.pts, pad = (band > P.width[i] ? band : P.width[i]) / 2 + HIT_SLOP;
      for (var k = q.from + 1; k < q.to; k++) {
        var x0 = Math.min(pts[2 * k - 2], pts[2 * k]) - pad, x1 = Math.max(pts[2 * k - 2], pts[2 * k]) + pad;
        var y0 = Math.min(pts[2 * k - 1], pts[2 * k + 1]) - pad, y1 = Math.max(pts[2 * k - 1], pts[2 * k + 1]) + pad;
        if (x1 < 0 || y1 < 0 || x0 > f.w || y0 > f.h) continue;
        var c0 = Math.max(0, Math.floor(x0 / CELL)), c1 = Math.min(cols - 1, Math.floor(x1 / CELL));
        var r0 = Math.max(0, Math.floor(y0 / CELL)), r1 = Math.min(rows - 1, Math.floor(y1 / CELL));
        if ((c1 - c0 + 1) * (r1 - r0 + 1) > 400) continue; // a segment across the screen: skipped
        for (var r = r0; r <= r1; r++) {
          for (var c = c0; c <= c1; c++) {
            var at = r * cols + c;
            (cells[at] || (cells[at] = [])).push(i, k);
          }
        }
      }
    }
    this.grid = { cells: cells, cols: cols, rows: rows };
  },

  // The flow under container point (x, y), or -1: the nearest within its half width + slop.
  flowAt: function (x, y) {
    if (!this.grid) this._buildGrid();
    var g = this.grid, c = Math.floor(x / CELL), r = Math.floor(y / CELL);
    if (c < 0 || r < 0 || c >= g.cols || r >= g.rows) return -1;
    var list = g.cells[r * g.cols + c], best = -1, bestD = Infinity, P = this.P;
    this.hitInside = false;
    if (!list) return -1;
    for (var m = 0; m < list.length; m += 2) {
      var i = list[m], k = list[m + 1], q = this._points(i), pts = q.pts;
      var ax = pts[2 * k - 2], ay = pts[2 * k - 1], bx = pts[2 * k], by = pts[2 * k + 1];
      var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
      var t = l2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
      var d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
      var reach = Math.max(P.width[i], this.state.band[i]) / 2 + HIT_SLOP;
      if (d <= reach && d - reach / 2 < bestD) { bestD = d - reach / 2; best = i; this.hitInside = d <= reach - HIT_SLOP; }
    }
    return best;
  },

  placeAt: function (x, y) {
    var list = this.placePx || [];
    for (var k = list.length - 1; k >= 0; k--) {
      var e = list[k];
      if (Math.hypot(x - e[1], y - e[2]) <= e[3] + 2) return e[0];
    }
    return -1;
  },

  // Outline the hovered flow on the top canvas (no full redraw).
  highlight: function (i) {
    if (i === this.hover || !this.f) return;
    this.hover = i;
    var ctx = this._top.getContext("2d"), f = this.f;
    ctx.clearRect(0, 0, f.w, f.h);
    if (i < 0) return;
    ctx.beginPath(); this._trace(ctx, i);
    ctx.globalAlpha = 0.9; ctx.strokeStyle = "#111"; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.lineWidth = (this.P.unknown[i] ? this.P.unknownWidth : this.P.width[i]) + 3;
    ctx.stroke();
    ctx.beginPath(); this._trace(ctx, i);
    ctx.strokeStyle = this.P.colors[this.P.color[i]];
    ctx.lineWidth = this.P.unknown[i] ? this.P.unknownWidth : this.P.width[i];
    ctx.stroke();
  },

  // Container point of the middle of flow i (where its arrowhead sits).
  pointOf: function (i) {
    var f = this._frame(), mid = this.paths.mid, s = this.state.shift[i] || 0;
    var dx = mid[4 * i + 2], dy = mid[4 * i + 3];
    return [mid[4 * i] * f.S - f.ox - dy * s, mid[4 * i + 1] * f.S - f.oy + dx * s];
  }
});
