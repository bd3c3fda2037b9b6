/* geometry.js: every flow's path in normalised Web Mercator (0..1 across the world), built
 * once: geodesics from their two ends (great circles, longitudes unwrapped so a flow over the
 * antimeridian stays one line), other routes from the shared lanes shipped in the payload. */
var RAD = Math.PI / 180, MAX_LAT = 85.0511287798;

function mercX(lon) { return (lon + 180) / 360; }
function mercY(lat) {
  lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  return (1 - Math.log(Math.tan(Math.PI / 4 + lat * RAD / 2)) / Math.PI) / 2;
}

function decodePlaces(P) {
  var s = Math.pow(10, P.precision), m = P.places.name.length;
  var lat = new Float64Array(m), lon = new Float64Array(m);
  for (var p = 0; p < m; p++) { lat[p] = P.places.lat[p] / s; lon[p] = P.places.lon[p] / s; }
  return { lat: lat, lon: lon, n: m };
}

// A vertex every 2 degrees keeps arcs smooth; above 20,000 flows every 6 (the rasteriser's
// cost grows with vertices, and so many lines hide the corners).
function greatCircleCount(a1, o1, a2, o2, step) {
  var c = Math.sin(a1) * Math.sin(a2) + Math.cos(a1) * Math.cos(a2) * Math.cos(o2 - o1);
  var w = Math.acos(Math.max(-1, Math.min(1, c)));
  return { w: w, k: Math.max(1, Math.min(90, Math.ceil(w / RAD / step))) };
}

function buildPaths(P, places) {
  var n = P.n, s = Math.pow(10, P.precision);
  var lanes = P.lanes, laneCount = lanes.offsets.length - 1;
  var total = lanes.coords.length / 2, segs = new Int32Array(n), step = n > 20000 ? 6 : 2;
  for (var i = 0; i < n; i++) {
    if (P.route[i] >= 0) continue;
    var o = P.o[i], d = P.d[i];
    segs[i] = greatCircleCount(places.lat[o] * RAD, places.lon[o] * RAD,
      places.lat[d] * RAD, places.lon[d] * RAD, step).k;
    total += segs[i] + 1;
  }
  var xy = new Float64Array(2 * total);
  // lanes first, from integers (lon, lat interleaved)
  for (var c = 0; c < lanes.coords.length; c += 2) {
    xy[c] = mercX(lanes.coords[c] / s); xy[c + 1] = mercY(lanes.coords[c + 1] / s);
  }
  var start = new Int32Array(n), end = new Int32Array(n), at = lanes.coords.length / 2;
  for (i = 0; i < n; i++) {
    var r = P.route[i];
    if (r >= 0) { start[i] = lanes.offsets[r]; end[i] = lanes.offsets[r + 1]; continue; }
    start[i] = at;
    at = greatCircle(places, P.o[i], P.d[i], segs[i], xy, at);
    end[i] = at;
  }
  var paths = { xy: xy, start: start, end: end, n: n, laneCount: laneCount };
  measure(paths);
  return paths;
}

// Spherical interpolation between two places; the longitude is unwrapped step by step.
function greatCircle(places, o, d, k, xy, at) {
  var a1 = places.lat[o] * RAD, o1 = places.lon[o] * RAD;
  var a2 = places.lat[d] * RAD, o2 = places.lon[d] * RAD;
  var ax = Math.cos(a1) * Math.cos(o1), ay = Math.cos(a1) * Math.sin(o1), az = Math.sin(a1);
  var bx = Math.cos(a2) * Math.cos(o2), by = Math.cos(a2) * Math.sin(o2), bz = Math.sin(a2);
  var w = Math.acos(Math.max(-1, Math.min(1, ax * bx + ay * by + az * bz)));
  var sw = Math.sin(w), prev = places.lon[o];
  for (var j = 0; j <= k; j++) {
    var t = j / k, lat, lon;
    if (sw < 1e-9) {
      lat = places.lat[o] + (places.lat[d] - places.lat[o]) * t;
      lon = places.lon[o] + (places.lon[d] - places.lon[o]) * t;
    } else {
      var f = Math.sin((1 - t) * w) / sw, g = Math.sin(t * w) / sw;
      var px = f * ax + g * bx, py = f * ay + g * by, pz = f * az + g * bz;
      lat = Math.atan2(pz, Math.sqrt(px * px + py * py)) / RAD;
      lon = Math.atan2(py, px) / RAD;
    }
    lon += 360 * Math.round((prev - lon) / 360);
    prev = lon;
    xy[2 * at] = mercX(lon); xy[2 * at + 1] = mercY(lat);
    at++;
  }
  return at;
}

// Bounding box (culling) and the middle of each path with its direction (arrowheads).
function measure(paths) {
  var n = paths.n, xy = paths.xy;
  var box = new Float64Array(4 * n), mid = new Float64Array(4 * n);
  for (var i = 0; i < n; i++) {
    var a = paths.start[i], b = paths.end[i], len = 0;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (var k = a; k < b; k++) {
      var x = xy[2 * k], y = xy[2 * k + 1];
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      if (k > a) len += Math.hypot(x - xy[2 * k - 2], y - xy[2 * k - 1]);
    }
    box[4 * i] = x0; box[4 * i + 1] = y0; box[4 * i + 2] = x1; box[4 * i + 3] = y1;
    var half = len / 2, run = 0;
    mid[4 * i] = xy[2 * a]; mid[4 * i + 1] = xy[2 * a + 1]; mid[4 * i + 2] = 1; mid[4 * i + 3] = 0;
    for (k = a + 1; k < b; k++) {
      var dx = xy[2 * k] - xy[2 * k - 2], dy = xy[2 * k + 1] - xy[2 * k - 1];
      var step = Math.hypot(dx, dy);
      if (run + step >= half && step > 0) {
        var t = (half - run) / step;
        mid[4 * i] = xy[2 * k - 2] + dx * t; mid[4 * i + 1] = xy[2 * k - 1] + dy * t;
        mid[4 * i + 2] = dx / step; mid[4 * i + 3] = dy / step;
        break;
      }
      run += step;
    }
  }
  paths.box = box;
  paths.mid = mid;
}
