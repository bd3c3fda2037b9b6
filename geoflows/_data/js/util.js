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

function stopMap(node) {
  L.DomEvent.disableClickPropagation(node);
  L.DomEvent.disableScrollPropagation(node);
}

// Field columns are arrays, or dictionary-encoded as {k: keys, i: codes}.
function cell(column, i) {
  if (!column) return "";
  if (Array.isArray(column)) return column[i];
  return column.i ? column.k[column.i[i]] : column.k[0];
}

// Columns with one value for every flow arrive as {c: value}: write them out once.
function expandConstants(P) {
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
