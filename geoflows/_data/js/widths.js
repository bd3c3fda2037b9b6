/* widths.js: the widths the page draws at a zoom, for the canvas and the legend alike.
 *
 * The payload's widths (width, halo, core, offset: pixels of the volume scale, min_width to
 * max_width) are drawn as given from FULL_ZOOM in. Zoomed out, the part of each width above
 * min_width narrows with the map, halving at each zoom level out to LEAST_SCALE (a quarter at
 * zoom 3 and beyond): a band covers about as much ground at zoom 3 as at zoom 5, so at the
 * first view of a wide map it no longer hides the sea or lake it crosses (issue 22 item 5:
 * the story's ten flows across the Caspian, some 20 px wide at zoom 3). The scale stays a
 * scale (min_width still for zero, the order and ratios above it kept), it depends on the zoom
 * alone (maps with one width_domain compare at one zoom), and the legend's samples follow it
 * (controls.js followWidths). */
var FULL_ZOOM = 5, LEAST_SCALE = 0.25;

function widthScale(zoom) {
  if (!isFinite(zoom)) return 1; // no view yet
  return Math.max(LEAST_SCALE, Math.min(1, Math.pow(2, zoom - FULL_ZOOM)));
}

// A width of the payload drawn at width scale k: widths at or below min_width are kept.
function drawnWidth(P, w, k) {
  var m = P.minWidth;
  return w > m ? m + (w - m) * k : w;
}

// A corridor offset (canvas.js _project) drawn at width scale k. The payload's offset is
// gap * slot + (the widths of the flows before this one in its corridor side + half its own),
// slot being the count of flows before it + 1/2; each of those widths is drawnWidth'd.
function drawnOffset(P, i, k) {
  var d = P.offset[i];
  if (!d || k === 1) return d;
  var slot = P.slot[i] + 0.5, gap = P.corridorGap;
  return (gap + P.minWidth * (1 - k)) * slot + (d - gap * slot) * k;
}
