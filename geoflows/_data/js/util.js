/* util.js: small DOM and text helpers shared by every module.
 *
 * Safety rule: every piece of text that came from data is put into the page with
 * textContent (or as an attribute value after a protocol check), never with innerHTML.
 */
var DAY = 86400000;

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// Data text beside other text is isolated, so a right-to-left override inside it cannot
// reorder what follows (a volume after a place name).
function bdi(text, cls) {
  return el("bdi", cls || null, text);
}

// Data text that may be cut with an ellipsis (legend rows): the whole text shows on hover.
// A title is an attribute set as a property: text, never markup.
function titledBdi(text, cls) {
  var b = bdi(text, cls);
  b.title = String(text);
  return b;
}

// A line made of parts: data parts (strings in odd positions) are isolated, the rest plain.
function line(cls, parts) {
  var box = el("div", cls);
  for (var k = 0; k < parts.length; k++) {
    if (parts[k] === null || parts[k] === undefined || parts[k] === "") continue;
    box.appendChild(k % 2 ? bdi(parts[k]) : document.createTextNode(String(parts[k])));
  }
  return box;
}

function safeUrl(text) {
  try {
    var u = new URL(String(text).trim());
    if (u.protocol === "http:" || u.protocol === "https:") return u.href;
  } catch (e) { /* not a URL: shown as text */ }
  return null;
}

function isoDay(day) {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// A date at the precision the source gave (render/_encode.py: period_text): 0 a day
// ("2022-09-14"), 1 a month ("Sep 2022"), 2 a year ("2022").
function periodText(day, precision) {
  var iso = isoDay(day);
  if (precision === 1) return MONTHS[Number(iso.slice(5, 7)) - 1] + " " + iso.slice(0, 4);
  return precision === 2 ? iso.slice(0, 4) : iso;
}

// A day written out for people: "20 Oct 2024" (the slider's window).
function longDay(day) {
  var iso = isoDay(day);
  return Number(iso.slice(8, 10)) + " " + MONTHS[Number(iso.slice(5, 7)) - 1] + " " + iso.slice(0, 4);
}

function stopMap(node) {
  L.DomEvent.disableClickPropagation(node);
  L.DomEvent.disableScrollPropagation(node);
}

// Field columns are arrays, or dictionary-encoded as {k: keys, i: codes}, or whole numbers
// written as text ({t: numbers}, ids).
function cell(column, i) {
  if (!column) return "";
  if (Array.isArray(column)) return column[i];
  if (column.t) return String(column.t[i]);
  return column.i ? column.k[column.i[i]] : column.k[0];
}

// Packed numbers (_encode.pack): one string of zigzag variable-length integers, 5 bits per
// character, the sixth bit saying another character follows; "d": differences from the
// previous value; "s": decimals.
var PACK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
var PACK_VALUE = (function () {
  var t = new Int8Array(128);
  for (var k = 0; k < PACK_ALPHABET.length; k++) t[PACK_ALPHABET.charCodeAt(k)] = k;
  return t;
})();

function unpack(col) {
  var s = col.z, out = new Float64Array(col.n), scale = Math.pow(10, col.s || 0);
  var delta = col.d === 1, prev = 0, at = 0, v = 0, mul = 1;
  for (var i = 0; i < s.length; i++) {
    var c = PACK_VALUE[s.charCodeAt(i)];
    v += (c & 31) * mul;
    if (c & 32) { mul *= 32; continue; }
    v = v % 2 ? -(v + 1) / 2 : v / 2;
    if (delta) { prev += v; v = prev; }
    out[at++] = scale === 1 ? v : v / scale;
    v = 0; mul = 1;
  }
  return out;
}

// Every packed column inside the payload, unpacked in place (long arrays of numbers or text
// are not walked: only arrays whose first or last item is an object or array).
function unpackAll(obj) {
  for (var key in obj) {
    var v = obj[key];
    if (!v || typeof v !== "object") continue;
    if (!Array.isArray(v) && typeof v.z === "string") obj[key] = unpack(v);
    else if (!Array.isArray(v) || (v.length && (typeof v[0] === "object" || typeof v[v.length - 1] === "object"))) unpackAll(v);
  }
}

function columnValues(column, n) {
  var out = new Array(n);
  for (var i = 0; i < n; i++) out[i] = cell(column, i);
  return out;
}

// Columns with one value for every flow arrive as {c: value}: write them out once.
function expandConstants(P) {
  unpackAll(P);
  if (!Array.isArray(P.places.name)) P.places.name = columnValues(P.places.name, P.places.lat.length);
  for (var key in P) {
    var v = P[key];
    if (v && typeof v === "object" && !Array.isArray(v) && "c" in v && Object.keys(v).length === 1) {
      var out = new Array(P.n);
      for (var i = 0; i < P.n; i++) out[i] = v.c;
      P[key] = out;
    }
  }
}

function coordText(x, digits) {
  var t = x.toFixed(digits);
  return t.indexOf(".") >= 0 ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
}

// A coordinate-only place has no name: it is written as its coordinates.
function placeNames(P) {
  var s = Math.pow(10, P.precision), out = new Array(P.places.name.length);
  for (var p = 0; p < out.length; p++) {
    out[p] = P.places.name[p] || coordText(P.places.lat[p] / s, P.precision) + ", " +
      coordText(P.places.lon[p] / s, P.precision);
  }
  return out;
}

function num(x) {
  // as style.format_volume: whole numbers and numbers >= 100 with thousands separators
  if (Math.abs(x) >= 100 || Math.round(x) === x) {
    return Math.round(x).toLocaleString("en-US");
  }
  return Number(x.toPrecision(3)).toLocaleString("en-US", { maximumSignificantDigits: 3 });
}

// Volume text from the payload's numbers (-1 = not given). Open-ended claims stay open:
// only a low bound reads "more than", only a high bound "up to".
function volumeText(v, lo, hi, unit) {
  var u = unit ? " " + unit : "";
  if (lo >= 0 && hi >= 0 && lo !== hi) {
    return num(lo) + "–" + num(hi) + u + (v >= 0 ? " (best estimate " + num(v) + ")" : "");
  }
  if (v >= 0) return num(v) + u;
  if (lo >= 0) return "more than " + num(lo) + u;
  if (hi >= 0) return "up to " + num(hi) + u;
  return "volume unknown";
}

// The spread of several claims [volume, low, high] (-1 = not given): lowest to highest bound.
// A bound that is only "more than" or "up to" keeps its words; an exact bound wins a tie.
function spreadText(claims, unit) {
  var lo = Infinity, hi = -Infinity, loTag = "", hiTag = "";
  function lower(x, tag) {
    if (x < lo || (x === lo && !tag)) { lo = x; loTag = tag; }
  }
  function upper(x, tag) {
    if (x > hi || (x === hi && !tag)) { hi = x; hiTag = tag; }
  }
  for (var k = 0; k < claims.length; k++) {
    var v = claims[k][0], a = claims[k][1], b = claims[k][2];
    if (a >= 0 && b >= 0) { lower(a, ""); upper(b, ""); }
    else if (v >= 0) { lower(v, ""); upper(v, ""); }
    else if (a >= 0) { lower(a, "more than "); upper(a, "more than "); }
    else if (b >= 0) { lower(b, "up to "); upper(b, "up to "); }
  }
  if (lo === Infinity) return "volume unknown";
  var u = unit ? " " + unit : "";
  if (lo === hi && loTag === hiTag) return loTag + num(lo) + u;
  if (!loTag && !hiTag) return num(lo) + "–" + num(hi) + u;
  return loTag + num(lo) + " – " + hiTag + num(hi) + u;
}
