/* popup.js: where a popup opens. Its whole box lies inside the map, clear of the legend, beside
 * the point clicked (above, below, right or left: the side with room); a popup taller than
 * the room scrolls inside its own box. Leaflet's autoPan cannot do this: it pans the map to
 * show the popup's top and lets the rest run off the map when the popup is taller than the
 * room above the point (issue 22 item 6). */
var POPUP_MARGIN = 10, POPUP_GAP = 10, POPUP_TIP = 20, POPUP_MIN = 120;
var POPUP_SIDES = ["above", "below", "right", "left"];

// The start s of a box [s, s + len] within [lo, hi] nearest to `want` whose box overlaps none
// of the intervals in `blocks` ([a, b] pairs), or null when there is none.
function freeStart(lo, hi, len, want, blocks) {
  var free = lo <= hi ? [[lo, hi]] : [];
  for (var k = 0; k < blocks.length; k++) {
    var a = blocks[k][0] - len, b = blocks[k][1], next = [];
    for (var f = 0; f < free.length; f++) {
      var u = free[f];
      if (b <= u[0] || a >= u[1]) { next.push(u); continue; }
      if (a >= u[0]) next.push([u[0], a]);
      if (b <= u[1]) next.push([b, u[1]]);
    }
    free = next;
  }
  var best = null;
  for (f = 0; f < free.length; f++) {
    var s = Math.max(free[f][0], Math.min(free[f][1], want));
    if (best === null || Math.abs(s - want) < Math.abs(best - want)) best = s;
  }
  return best;
}

// The part of each rect that meets the span [p, q] on one axis, as intervals on the other.
function blocksOn(rects, p, q, vertical) {
  var out = [];
  for (var k = 0; k < rects.length; k++) {
    var r = rects[k], lo = vertical ? r.top : r.left, hi = vertical ? r.bottom : r.right;
    if (hi > p && lo < q) out.push(vertical ? [r.left, r.right] : [r.top, r.bottom]);
  }
  return out;
}

// The heights worth trying on one side: the full one, and each that stops just short of an
// obstacle (the box then fits between the point and it, or between two of them).
function sideHeights(side, frame, a, h, rects) {
  var room = side === "above" ? a.y - POPUP_GAP - frame.top :
    side === "below" ? frame.bottom - a.y - POPUP_GAP : frame.bottom - frame.top;
  var top = Math.min(h, room), out = [top];
  for (var k = 0; k < rects.length; k++) {
    var r = rects[k];
    if (side === "above") out.push(a.y - POPUP_GAP - r.bottom);
    else if (side === "below") out.push(r.top - a.y - POPUP_GAP);
    else {
      out.push(r.top - frame.top, frame.bottom - r.bottom);
      for (var j = 0; j < rects.length; j++) out.push(rects[j].top - r.bottom);
    }
  }
  return out.filter(function (x) { return x >= Math.min(POPUP_MIN, top) && x <= top; });
}

// One side at height hh: the box, or null when it cannot lie there. A box above or below the
// point keeps the point within its width (its tip points there); one beside it, within its height.
function sideBox(side, frame, a, w, hh, rects) {
  var T = POPUP_TIP, g = POPUP_GAP, x, y, s;
  if (side === "above" || side === "below") {
    y = side === "above" ? a.y - g - hh : a.y + g;
    s = freeStart(Math.max(frame.left, a.x - w + T), Math.min(frame.right - w, a.x - T), w, a.x - w / 2,
      blocksOn(rects, y, y + hh, true));
    return s === null ? null : { side: side, x: s, y: y, w: w, h: hh };
  }
  x = side === "right" ? a.x + g : a.x - g - w;
  if (x < frame.left || x + w > frame.right) return null;
  s = freeStart(Math.max(frame.top, a.y - hh + T), Math.min(frame.bottom - hh, a.y - T), hh, a.y - hh / 2,
    blocksOn(rects, x, x + w, false));
  return s === null ? null : { side: side, x: x, y: s, w: w, h: hh };
}

// The box for a popup of natural size w x h whose point is `a`, inside `frame` and overlapping
// none of `rects` (all in the map container's pixels): the tallest that fits, on the first side
// in POPUP_SIDES among equals. Null when no side has room.
function popupBox(frame, a, w, h, rects) {
  var best = null;
  for (var k = 0; k < POPUP_SIDES.length; k++) {
    var side = POPUP_SIDES[k], heights = sideHeights(side, frame, a, h, rects);
    for (var j = 0; j < heights.length; j++) {
      var box = sideBox(side, frame, a, w, heights[j], rects);
      if (box && (!best || box.h > best.h)) best = box;
    }
  }
  return best;
}

// The controls a popup should not cover, in container pixels: the legend (which it must
// never cover) and the others (which it covers only when that shows much more of it).
function popupObstacles(container) {
  var r0 = container.getBoundingClientRect(), list = container.querySelectorAll(".leaflet-control");
  var legend = [], others = [];
  for (var c = 0; c < list.length; c++) {
    var r = list[c].getBoundingClientRect();
    if (!r.width || !r.height) continue;
    var box = { left: r.left - r0.left, top: r.top - r0.top, right: r.right - r0.left, bottom: r.bottom - r0.top };
    (list[c].querySelector(".gf-legend") || list[c].classList.contains("gf-legend") ? legend : others).push(box);
  }
  return { legend: legend, others: others };
}

// Where the popup goes: clear of every control when it shows there whole; else clear of the
// legend only when it shows whole there, or POPUP_MIN / 3 taller (a popup scrolls only when
// it must). With no room beside the point (a point under the legend), the popup lies along
// the frame's left edge, with no tip.
function choosePopupBox(frame, a, w, h, obstacles) {
  var all = obstacles.legend.concat(obstacles.others);
  var clear = popupBox(frame, a, w, h, all), legendOnly = popupBox(frame, a, w, h, obstacles.legend);
  var box = clear && (clear.h >= h || !legendOnly || (legendOnly.h < h && legendOnly.h <= clear.h + POPUP_MIN / 3)) ?
    clear : legendOnly;
  if (box) return box;
  var edge = { x: frame.left - POPUP_GAP, y: (frame.top + frame.bottom) / 2 };
  box = popupBox(frame, edge, w, h, obstacles.legend) || { x: frame.left, y: frame.top, w: w, h: Math.min(h, frame.bottom - frame.top) };
  box.side = "none";
  return box;
}

// The tip of a popup whose box is `box`, pointing at `a` (positions inside the wrapper).
function placeTip(tip, box, a) {
  var s = tip.style, T = POPUP_TIP;
  s.display = box.side === "none" ? "none" : "";
  s.marginLeft = "0"; s.marginTop = "0";
  if (box.side === "above" || box.side === "below") {
    var x = Math.max(T, Math.min(box.w - T, a.x - box.x));
    s.left = (x - 20) + "px";
    s.top = box.side === "above" ? (box.h - 1) + "px" : (1 - 20) + "px";
    s.transform = box.side === "above" ? "" : "rotate(180deg)";
  } else if (box.side !== "none") {
    var y = Math.max(T, Math.min(box.h - T, a.y - box.y));
    // the 40 x 20 tip turned a quarter: its centre 10 px outside the box's edge
    s.left = (box.side === "right" ? -30 + 1 : box.w - 10 - 1) + "px";
    s.top = (y - 10) + "px";
    s.transform = box.side === "right" ? "rotate(90deg)" : "rotate(-90deg)";
  }
}

// Size and place an open popup for its point now: the content's own scroll takes what does
// not fit (a max-height on the content box), the box goes where choosePopupBox says (through
// the popup's offset, so it stays by its point while the map moves).
function placePopup(map, popup) {
  var node = popup.getElement();
  if (!node || !map.hasLayer(popup)) return null;
  var wrap = node.querySelector(".leaflet-popup-content-wrapper");
  var content = node.querySelector(".leaflet-popup-content"), tip = node.querySelector(".leaflet-popup-tip-container");
  var size = map.getSize(), m = POPUP_MARGIN;
  var frame = { left: m, top: m, right: size.x - m, bottom: size.y - m };
  var a = map.latLngToContainerPoint(popup.getLatLng());
  content.style.maxHeight = "";
  var w = wrap.offsetWidth, h = wrap.offsetHeight, chrome = h - content.offsetHeight;
  var box = choosePopupBox(frame, a, w, h, popupObstacles(map.getContainer()));
  if (box.h < h) content.style.maxHeight = Math.max(0, Math.floor(box.h - chrome)) + "px";
  box.h = wrap.offsetHeight;
  if (box.side === "above") box.y = a.y - POPUP_GAP - box.h;
  placeTip(tip, box, a);
  // Leaflet puts the wrapper's left at a.x - width / 2 + offset.x and its bottom at
  // a.y + offset.y - 20 (the tip's margin); one measured correction absorbs the rounding.
  popup.options.offset = L.point(box.x - a.x + Math.round(node.offsetWidth / 2), box.y + box.h - a.y + 20);
  popup.update();
  var r0 = map.getContainer().getBoundingClientRect(), r = wrap.getBoundingClientRect();
  var dx = box.x - (r.left - r0.left), dy = box.y - (r.top - r0.top);
  if (Math.abs(dx) > 0.5 || Math.abs(dy) > 0.5) {
    popup.options.offset = popup.options.offset.add([Math.round(dx), Math.round(dy)]);
    popup.update();
  }
  node.setAttribute("data-gf-side", box.side);
  return box;
}
