/* canvas.js: one Leaflet layer that draws every flow on one canvas in one pass, and finds
 * the flow under the pointer with a grid of screen cells (built lazily after each draw). */
var CELL = 24, HIT_SLOP = 4;
// Progressive drawing: a view with more than PROGRESSIVE flows is stroked in chunks, one per
// animation frame, in the batches' order (smallest first on a map with the ramp); a chunk
// stops after FRAME_MS of script time or after this.chunkSize strokes, a size tuned from the
// frame times seen (the rasteriser's work shows only there), aiming at frames of FRAME_AIM
// ms. Smaller views are drawn in one pass.
var PROGRESSIVE = 4000, FRAME_MS = 12, FRAME_AIM = 30;

// The colour each flow is drawn in: its own, but a movement's claims all take the colour of
// its most confident claim, so a movement drawn as several lines (claims naming different
// places) is one colour, whatever colours its claims would have (color_by="source").
function lineColors(P) {
  var hue = new Int32Array(P.n);
  for (var i = 0; i < P.n; i++) hue[i] = P.color[i];
  for (var g = 0; g < P.claims.length; g++) {
    var members = P.claims[g];
    for (var k = 1; k < members.length; k++) hue[members[k]] = P.color[members[0]];
  }
  return hue;
}

// Flows that share colour, width, dash and ramp level are stroked as one batch. With the
// magnitude ramp (a map of many flows: P.ramp, render/_ramp.py) a batch takes its level's
// colour and opacity, and batches are drawn smallest first (the lowest level, then the
// narrowest), so the largest flows lie on top of the many small ones they cross. A small map
// (no ramp) draws each flow's colour at one opacity, the widest first, so its few thin lines
// (a visit beside a rail convoy) stay visible on top.
function styleBatches(P, hue) {
  var keyOf = {}, batches = [], R = P.ramp;
  for (var i = 0; i < P.n; i++) {
    var unknown = P.unknown[i] === 1;
    var w = unknown ? P.unknownWidth : Math.round(P.width[i] * 2) / 2;
    var dash = unknown ? P.unknownDash : P.dashes[P.conf[i]];
    var level = R ? P.mag[i] : -1;
    var key = hue[i] + "|" + w + "|" + dash + "|" + level;
    var b = keyOf[key];
    if (b === undefined) {
      b = keyOf[key] = batches.length;
      batches.push({
        color: level >= 0 ? R.colors[hue[i]][level] : P.colors[hue[i]],
        alpha: level >= 0 ? R.alpha[level] : R ? R.alpha[R.levels >> 1] : 0.85,
        level: level, width: w, dash: dash ? dash.split(" ").map(Number) : [], members: []
      });
    }
    batches[b].members.push(i);
  }
  batches.sort(R ? function (a, b) { return a.level - b.level || a.width - b.width; }
    : function (a, b) { return b.width - a.width; });
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
    this.hue = lineColors(P);
    this.batches = styleBatches(P, this.hue);
    // the order of the arrows: with the ramp the batches' (the largest stay on top), else the
    // flows' own
    this.order = [];
    if (P.ramp) for (var b = 0; b < this.batches.length; b++) this.order.push.apply(this.order, this.batches[b].members);
    else for (var i = 0; i < P.n; i++) this.order.push(i);
    this.proj = new Float64Array(paths.xy.length);
    this.grid = null; this.hover = -1;
    this.isGeoflows = true;
    this.drawnArrows = 0; this.drawnPlaces = 0; this.inView = 0;
    // progress of the last pass: strokes made, chunks used, whether it is complete
    this.strokes = 0; this.chunks = 0; this.complete = false; this.passes = 0;
    this.chunkSize = 600; this._job = null; this._frameReq = 0;
  },

  onAdd: function (map) {
    // While Leaflet animates a zoom, the last drawing is scaled with the map (as its own
    // canvas renderer does) instead of hidden; the new view is drawn at zoomend.
    var zoomClass = map._zoomAnimated ? " leaflet-zoom-animated" : " leaflet-zoom-hide";
    this._canvas = L.DomUtil.create("canvas", "geoflows-canvas" + zoomClass);
    this._top = L.DomUtil.create("canvas", "geoflows-canvas-hover" + zoomClass);
    this._canvas.setAttribute("aria-hidden", "true");
    this._top.setAttribute("aria-hidden", "true");
    map.getPane("overlayPane").appendChild(this._canvas);
    map.getPane("overlayPane").appendChild(this._top);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    if (map._zoomAnimated) map.on("zoomanim", this._animateZoom, this);
    this.redraw();
  },

  onRemove: function (map) {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    map.off("zoomanim", this._animateZoom, this);
    this._cancel();
    L.DomUtil.remove(this._canvas); L.DomUtil.remove(this._top);
  },

  // Scale and move the last drawing to where its corners will be at the animation's end.
  _animateZoom: function (e) {
    if (!this._corners) return;
    var map = this._map, scale = map.getZoomScale(e.zoom);
    var offset = map._latLngBoundsToNewLayerBounds(this._corners, e.zoom, e.center).min;
    L.DomUtil.setTransform(this._canvas, offset, scale);
    L.DomUtil.setTransform(this._top, offset, scale);
  },

  // Pixel transform of the current view: canvas x = X * S - ox (X normalised mercator).
  _frame: function () {
    var map = this._map, size = map.getSize();
    var tl = map.containerPointToLayerPoint([0, 0]), origin = map.getPixelOrigin();
    var S = 256 * Math.pow(2, map.getZoom());
    return { w: size.x, h: size.y, S: S, ox: origin.x + tl.x, oy: origin.y + tl.y, tl: tl, k: widthScale(map.getZoom()) };
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

  // A width of the payload as drawn in the current view (widths.js).
  _px: function (w) {
    return drawnWidth(this.P, w, this.f ? this.f.k : 1);
  },

  // Draw the current view: bands, then the lines (in chunks when there are many), then the
  // marks over them, arrows and place circles. A new call cancels an unfinished pass.
  redraw: function () {
    if (!this._map) return;
    this._cancel();
    var f = this.f = this._frame(), st = this.state;
    var ctx = this._setup(this._canvas, f);
    this._setup(this._top, f);
    this._corners = L.latLngBounds(this._map.containerPointToLatLng([0, 0]),
      this._map.containerPointToLatLng([f.w, f.h]));
    this.grid = null; this.hover = -1;
    var inView = this._inViewNow(f), dim = st.focus ? 0.12 : 1;
    ctx.lineJoin = "miter"; ctx.miterLimit = 2; // cheaper than round joins, no long spikes
    this._bands(ctx, inView, dim);
    var dashing = dashScale(this.batches, inView, this.paths.box, f);
    this.dashScale = dashing.scale; this.dashes = dashing.dashes;
    this.strokes = 0; this.chunks = 0; this.complete = false;
    // arrows go with their batch on a map with the ramp, over all the lines on one without
    var job = this._job = { ctx: ctx, inView: inView, dim: dim, f: f, pass: 0, batch: 0, member: 0,
      arrows: Boolean(this.P.ramp) && this._arrowsShown() };
    this.drawnArrows = 0;
    if (this.inView <= PROGRESSIVE) { this._chunk(job, Infinity, Infinity); return; }
    this._chunk(job, this.chunkSize, FRAME_MS);
    if (!this.complete) this._next(job, performance.now());
  },

  // Mark the flows shown whose bounding box meets the view (with a margin) and project them.
  _inViewNow: function (f) {
    var P = this.P, st = this.state, box = this.paths.box, pad = 40 / f.S;
    var vx0 = f.ox / f.S - pad, vy0 = f.oy / f.S - pad;
    var vx1 = (f.ox + f.w) / f.S + pad, vy1 = (f.oy + f.h) / f.S + pad;
    var inView = new Uint8Array(P.n), count = 0;
    for (var i = 0; i < P.n; i++) {
      if (!st.drawn[i]) continue;
      if (box[4 * i + 2] < vx0 || box[4 * i] > vx1 || box[4 * i + 3] < vy0 || box[4 * i + 1] > vy1) continue;
      inView[i] = 1; count++;
      this._project(i, f);
    }
    this.inView = count; this.inViewMask = inView;
    return inView;
  },

  // The next chunk on the next animation frame; the chunk size follows the frame time seen.
  _next: function (job, last) {
    var self = this;
    this._frameReq = L.Util.requestAnimFrame(function () {
      self._frameReq = 0;
      if (self._job !== job) return;
      var now = performance.now(), dt = now - last;
      if (dt > 1.5 * FRAME_AIM) self.chunkSize = Math.max(50, Math.round(self.chunkSize * 0.6));
      else if (dt < FRAME_AIM) self.chunkSize = Math.min(20000, Math.round(self.chunkSize * 1.3));
      self._chunk(job, self.chunkSize, FRAME_MS);
      if (!self.complete) self._next(job, now);
    });
  },

  _cancel: function () {
    if (this._frameReq) L.Util.cancelAnimFrame(this._frameReq);
    this._frameReq = 0; this._job = null;
  },

  // Stroke up to `limit` lines (or for `ms` of script time) from where the job stopped; the
  // last chunk adds what goes over the lines and says the view is drawn.
  _chunk: function (job, limit, ms) {
    var passes = this.state.focus ? 2 : 1, t0 = performance.now();
    job.left = limit; job.until = t0 + ms;
    this.chunks++;
    while (job.pass < passes && job.left > 0 && performance.now() < job.until) {
      var batch = this.batches[job.batch];
      if (batch) this._stroke(job.ctx, batch, job.inView, job.pass, job.dim, job);
      if (batch && job.member < batch.members.length) continue;
      // with the ramp, each batch's arrows right after its lines: a small flow's arrow stays
      // under the larger lines drawn after it
      if (batch && job.arrows && job.pass === passes - 1) {
        job.ctx.setLineDash([]);
        this.drawnArrows += this._arrows(job.ctx, job.inView, job.f, batch.members);
      }
      job.member = 0;
      if (++job.batch >= this.batches.length) { job.batch = 0; job.pass++; }
    }
    if (job.pass < passes) return;
    this._finish(job);
  },

  _finish: function (job) {
    var ctx = job.ctx, P = this.P;
    ctx.setLineDash([]);
    this._overLines(ctx, job.inView, job.dim);
    if (!job.arrows) this.drawnArrows = this._arrowsShown() ? this._arrows(ctx, job.inView, job.f, this.order) : 0;
    this.drawnPlaces = this._places(ctx, job.f);
    ctx.globalAlpha = 1;
    this._job = null; this.complete = true; this.passes++;
    var detail = { strokes: this.strokes, chunks: this.chunks, inView: this.inView };
    this.fire("drawn", detail);
    this._map.getContainer().dispatchEvent(new CustomEvent("geoflows:drawn", { detail: detail }));
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
      var fade = st.focus && !st.focus[i] ? dim : 1, color = P.colors[this.hue[i]];
      if (s.above) {
        // the hatched margin beside the line: at least 4 px at every zoom, so stripes show
        var hi = this._px(s.hi);
        ctx.globalAlpha = 0.9 * fade; ctx.strokeStyle = this._hatch(ctx, color);
        ctx.lineWidth = hi + 2 * Math.max(4, 0.5 * hi);
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
      if (st.band[i] > 0) {
        ctx.globalAlpha = 0.3 * fade; ctx.strokeStyle = color; ctx.lineWidth = this._px(st.band[i]);
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
      // the strip is the claims' (narrower than the line by the payload's widths): zoomed out,
      // where widths narrow, it stays (at least 1 px) while the line keeps 1.5 px either side
      var w = this._px(P.width[i]), lo = Math.max(1, Math.min(this._px(s.lo), w - 3));
      if (banded && s.lo > 0 && s.lo < P.width[i] - 1.5 && w >= 4) {
        ctx.globalAlpha = 0.35 * fade; ctx.strokeStyle = "#000"; ctx.lineWidth = lo;
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
      if (P.open[i] === 2 || s.below) {
        ctx.globalAlpha = 0.75 * fade;
        ctx.strokeStyle = this._hatch(ctx, "#ffffff"); ctx.lineWidth = Math.max(1, w - 1.5);
        ctx.beginPath(); this._trace(ctx, i); ctx.stroke();
      }
    }
  },

  // One style batch: each flow is its own path and stroke. Overlapping thick lines in one
  // path cost the rasteriser far more than many small paths (measured at 100k flows: one
  // stroke per 32 flows 6.4 s to the second frame, one per flow 4.6 s).
  // The job says where to start (job.member), how many strokes are left (job.left) and until
  // when (job.until, checked every 64 strokes); job.member is left where it stopped.
  _stroke: function (ctx, batch, inView, pass, dim, job) {
    var st = this.state, dash = batch.dash, k = this.dashScale, members = batch.members;
    ctx.globalAlpha = st.focus && pass === 0 ? dim : batch.alpha;
    ctx.strokeStyle = batch.color; ctx.lineWidth = this._px(batch.width);
    ctx.setLineDash(k === 1 ? dash : dash.map(function (x) { return x * k; }));
    ctx.lineCap = dash.length ? "butt" : "round";
    var m = job.member, made = 0;
    for (; m < members.length && made < job.left; m++) {
      var j = members[m];
      if (!inView[j]) continue;
      if (st.focus && (pass === 0) === Boolean(st.focus[j])) continue;
      ctx.beginPath(); this._trace(ctx, j); ctx.stroke();
      made++;
      if ((made & 63) === 0 && performance.now() >= job.until) { m++; break; }
    }
    job.member = m; job.left -= made; this.strokes += made;
  },

  // Project flow i into this.proj, shifted sideways by its corridor offset (pixels).
  _project: function (i, f) {
    var xy = this.paths.xy, pr = this.proj, a = this.paths.start[i], b = this.paths.end[i];
    for (var k = a; k < b; k++) {
      pr[2 * k] = xy[2 * k] * f.S - f.ox; pr[2 * k + 1] = xy[2 * k + 1] * f.S - f.oy;
    }
    var d = drawnOffset(this.P, i, f.k);
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

  _arrowsShown: function () {
    return this.P.arrows && this.inView <= this.P.arrowLimit;
  },

  // The arrowheads of the flows `order` lists (indices), those in view.
  _arrows: function (ctx, inView, f, order) {
    var P = this.P, mid = this.paths.mid, drawn = 0, st = this.state;
    for (var o = 0; o < order.length; o++) {
      var i = order[o];
      if (!inView[i]) continue;
      var dx = mid[4 * i + 2], dy = mid[4 * i + 3], s = st.shift[i] || 0;
      var ax = mid[4 * i] * f.S - f.ox - dy * s, ay = mid[4 * i + 1] * f.S - f.oy + dx * s;
      var w = P.unknown[i] ? P.unknownWidth : this._px(P.width[i]), size = 5 + w * 1.2;
      var tx = ax + dx * size * 0.5, ty = ay + dy * size * 0.5;
      // with the ramp, an arrow is as faint as its line: small flows' arrows do not hatch the map
      var level = P.ramp ? P.mag[i] : -1;
      ctx.globalAlpha = st.focus && !st.focus[i] ? 0.12 : level >= 0 ? P.ramp.alpha[level] : 0.95;
      ctx.fillStyle = this.colorOf(i);
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
      var q = this._points(i), pts = q.pts, pad = this._px(band > P.width[i] ? band : P.width[i]) / 2 + HIT_SLOP;
      for (var k = q.from + 1; k < q.to; k++) {
        var x0 = Math.min(pts[2 * k - 2], pts[2 * k]) - pad, x1 = Math.max(pts[2 * k - 2], pts[2 * k]) + pad;
        var y0 = Math.min(pts[2 * k - 1], pts[2 * k + 1]) - pad, y1 = Math.max(pts[2 * k - 1], pts[2 * k + 1]) + pad;
        if (x1 < 0 || y1 < 0 || x0 > f.w || y0 > f.h) continue;
        var c0 = Math.max(0, Math.floor(x0 / CELL)), c1 = Math.min(cols - 1, Math.floor(x1 / CELL));
        var r0 = Math.max(0, Math.floor(y0 / CELL)), r1 = Math.min(rows - 1, Math.floor(y1 / CELL));
        // a segment across the screen: only the cells along it (zoomed in, a line of two
        // points crosses hundreds of cells, and its box would fill the grid)
        if ((c1 - c0 + 1) * (r1 - r0 + 1) > 400) { this._cellsAlong(cells, cols, rows, pts, i, k, pad); continue; }
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

  // Add (i, k) to the cells within `pad` of segment k of flow i, for the part of it in view.
  _cellsAlong: function (cells, cols, rows, pts, i, k, pad) {
    var ax = pts[2 * k - 2], ay = pts[2 * k - 1], dx = pts[2 * k] - ax, dy = pts[2 * k + 1] - ay;
    var t0 = 0, t1 = 1, lo = [-pad, -pad], hi = [cols * CELL + pad, rows * CELL + pad], a = [ax, ay], d = [dx, dy];
    for (var e = 0; e < 2; e++) {
      if (!d[e]) { if (a[e] < lo[e] || a[e] > hi[e]) return; continue; }
      var u = (lo[e] - a[e]) / d[e], v = (hi[e] - a[e]) / d[e];
      t0 = Math.max(t0, Math.min(u, v)); t1 = Math.min(t1, Math.max(u, v));
    }
    if (t0 > t1) return;
    var steps = Math.ceil(Math.hypot(dx, dy) * (t1 - t0) / (CELL / 2)), seen = {};
    for (var s = 0; s <= steps; s++) {
      var t = t0 + (t1 - t0) * s / Math.max(1, steps), x = ax + t * dx, y = ay + t * dy;
      var c0 = Math.max(0, Math.floor((x - pad) / CELL)), c1 = Math.min(cols - 1, Math.floor((x + pad) / CELL));
      var r0 = Math.max(0, Math.floor((y - pad) / CELL)), r1 = Math.min(rows - 1, Math.floor((y + pad) / CELL));
      for (var r = r0; r <= r1; r++) {
        for (var c = c0; c <= c1; c++) {
          var at = r * cols + c;
          if (seen[at]) continue;
          seen[at] = true;
          (cells[at] || (cells[at] = [])).push(i, k);
        }
      }
    }
  },

  // The flow under container point (x, y), or -1: the nearest within its half width + slop.
  flowAt: function (x, y) {
    if (!this.grid) this._buildGrid();
    var g = this.grid, c = Math.floor(x / CELL), r = Math.floor(y / CELL);
    if (c < 0 || r < 0 || c >= g.cols || r >= g.rows) return -1;
    var list = g.cells[r * g.cols + c], best = -1, bestD = Infinity, P = this.P;
    if (!list) return -1;
    for (var m = 0; m < list.length; m += 2) {
      var i = list[m], k = list[m + 1], q = this._points(i), pts = q.pts;
      var ax = pts[2 * k - 2], ay = pts[2 * k - 1], bx = pts[2 * k], by = pts[2 * k + 1];
      var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
      var t = l2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
      var d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
      var reach = this._px(Math.max(P.width[i], this.state.band[i])) / 2 + HIT_SLOP;
      if (d <= reach && d - reach / 2 < bestD) { bestD = d - reach / 2; best = i; }
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
    var w = this.P.unknown[i] ? this.P.unknownWidth : this._px(this.P.width[i]);
    ctx.lineWidth = w + 3;
    ctx.stroke();
    ctx.beginPath(); this._trace(ctx, i);
    ctx.strokeStyle = this.colorOf(i);
    ctx.lineWidth = w;
    ctx.stroke();
  },

  // The colour flow i is drawn in: its ramp level's (render/_ramp.py), or its own.
  colorOf: function (i) {
    var P = this.P, level = P.ramp ? P.mag[i] : -1;
    return level >= 0 ? P.ramp.colors[this.hue[i]][level] : P.colors[this.hue[i]];
  },

  // Container point of the middle of flow i (where its arrowhead sits).
  pointOf: function (i) {
    var f = this._frame(), mid = this.paths.mid, s = this.state.shift[i] || 0;
    var dx = mid[4 * i + 2], dy = mid[4 * i + 3];
    return [mid[4 * i] * f.S - f.ox - dy * s, mid[4 * i + 1] * f.S - f.oy + dx * s];
  }
});
