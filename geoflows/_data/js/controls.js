/* controls.js: legend, filter, time slider and title controls. */

// A control's heading: its word ("Legend"), and the layer's name when several share the map,
// so each layer's controls say whose they are (the name is data: text, isolated, cut short).
function heading(cls, word, name) {
  var s = el("summary", cls, word);
  if (name !== null && name !== undefined) {
    s.appendChild(document.createTextNode(": "));
    s.appendChild(titledBdi(name, "gf-layer-name"));
  }
  return s;
}
function swatch(width, color, dash, opacity, length) {
  var len = length || 36, h = Math.max(10, Math.ceil(width) + 2);
  var svgNS = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("width", String(len));
  svg.setAttribute("height", String(h));
  svg.setAttribute("aria-hidden", "true");
  var ln = document.createElementNS(svgNS, "line");
  ln.setAttribute("x1", "2"); ln.setAttribute("x2", String(len - 2));
  ln.setAttribute("y1", String(h / 2)); ln.setAttribute("y2", String(h / 2));
  ln.setAttribute("stroke", color);
  ln.setAttribute("stroke-width", String(width));
  ln.setAttribute("stroke-opacity", String(opacity === undefined ? 1 : opacity));
  if (dash) ln.setAttribute("stroke-dasharray", dash);
  svg.appendChild(ln);
  return svg;
}

// A swatch of a payload width (a volume sample, the events' width): its line is drawn as
// the canvas draws that width at the current zoom (followWidths).
function widthSwatch(width, length, color, opacity) {
  var svg = swatch(width, color || "#555", null, opacity, length);
  svg.firstChild.setAttribute("data-gf-width", String(width));
  return svg;
}

// Keep the legend's width samples as wide as the lines drawn at this zoom (widths.js), and
// say so when zoomed out, where they are narrower than the full scale.
function followWidths(map, P, container) {
  function sync() {
    var zoom = map.getZoom(), k = widthScale(zoom);
    var lines = container.querySelectorAll("[data-gf-width]");
    for (var i = 0; i < lines.length; i++) {
      var w = Number(lines[i].getAttribute("data-gf-width"));
      lines[i].setAttribute("stroke-width", String(Math.round(drawnWidth(P, w, k) * 100) / 100));
    }
    var note = container.querySelector(".gf-width-zoom");
    if (!note) return;
    note.textContent = k < 1
      ? "widths as drawn at zoom " + Math.round(zoom * 10) / 10 + " (full from zoom " + FULL_ZOOM + ")" : "";
    note.style.display = k < 1 ? "" : "none";
  }
  map.on("zoomend", sync);
  map.whenReady(sync);
}

// A collapsible section: <details> with a one-line summary.
function section(parent, title, open) {
  var d = el("details", "gf-section");
  d.open = open !== false;
  d.appendChild(el("summary", "gf-legend-title", title));
  parent.appendChild(d);
  return d;
}

function legendRow(parent, svg, text) {
  var r = el("div", "gf-legend-row");
  r.appendChild(svg);
  r.appendChild(titledBdi(text));
  parent.appendChild(r);
}

// Swatches of the claim band (canvas.js _bands, _overLines): light band to the highest claim,
// the line with a dark strip as wide as the lowest; hatching where a claim is open-ended.
function claimSwatch(kind) {
  var svgNS = "http://www.w3.org/2000/svg", svg = swatch(12, "#555", null, 0.3);
  function line(x1, y1, x2, y2, width, color, opacity) {
    var ln = document.createElementNS(svgNS, "line");
    ln.setAttribute("x1", String(x1)); ln.setAttribute("y1", String(y1));
    ln.setAttribute("x2", String(x2)); ln.setAttribute("y2", String(y2));
    ln.setAttribute("stroke", color); ln.setAttribute("stroke-width", String(width));
    ln.setAttribute("stroke-opacity", String(opacity));
    svg.appendChild(ln);
  }
  if (kind === "band") { line(2, 7, 34, 7, 5, "#555", 1); line(2, 7, 34, 7, 2, "#000", 0.6); }
  if (kind === "above") {
    svg.removeChild(svg.firstChild);
    for (var x = 0; x < 36; x += 4) line(x, 13, x + 8, 1, 1.4, "#555", 0.9);
    line(2, 7, 34, 7, 4, "#555", 1);
  }
  if (kind === "below") {
    svg.removeChild(svg.firstChild);
    line(2, 7, 34, 7, 8, "#555", 1);
    for (var y = 0; y < 34; y += 4) line(y + 2, 10, y + 6, 4, 1.4, "#fff", 0.85);
  }
  return svg;
}

function claimLegend(parent, P) {
  var above = false, below = false;
  for (var i = 0; i < P.n; i++) { if (P.open[i] === 1) above = true; if (P.open[i] === 2) below = true; }
  if (P.legend.range || P.claims.length) {
    legendRow(parent, claimSwatch("band"), "band: highest claim; dark strip in the line: lowest");
  }
  if (above) legendRow(parent, claimSwatch("above"), "hatched beside the line: open ended, more than");
  if (below) legendRow(parent, claimSwatch("below"), "hatched line: open ended, up to");
}

function circleSwatch() {
  var svgNS = "http://www.w3.org/2000/svg", svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("width", "36"); svg.setAttribute("height", "14"); svg.setAttribute("aria-hidden", "true");
  var radii = [3, 6];
  for (var k = 0; k < radii.length; k++) {
    var c = document.createElementNS(svgNS, "circle");
    c.setAttribute("cx", String(k ? 24 : 8)); c.setAttribute("cy", "7"); c.setAttribute("r", String(radii[k]));
    c.setAttribute("fill", "#fff"); c.setAttribute("stroke", "#333"); c.setAttribute("stroke-width", "1");
    svg.appendChild(c);
  }
  return svg;
}

// The rule that sizes the place circles now (main.js placeRadius): the in + out volume when
// the flows shown share one unit, else how many flows pass through each place.
function setPlaceRule(legend, unit) {
  var node = legend.getContainer && legend.getContainer() ? legend.getContainer().querySelector(".gf-place-rule") : null;
  if (!node) return;
  node.textContent = unit !== null && unit !== undefined
    ? "circle size: in + out " + (unit || "volume") + " of the flows shown"
    : "circle size: number of flows (units differ)";
}

// The magnitude ramp (a map of many flows: canvas.js styleBatches) as a strip of its levels,
// light and faint to dark, each in its colour and opacity.
function rampStrip(R) {
  var svgNS = "http://www.w3.org/2000/svg", svg = document.createElementNS(svgNS, "svg");
  var step = 4, h = 10;
  svg.setAttribute("width", String(step * R.levels)); svg.setAttribute("height", String(h));
  svg.setAttribute("aria-hidden", "true"); svg.setAttribute("class", "gf-ramp");
  for (var k = 0; k < R.levels; k++) {
    var r = document.createElementNS(svgNS, "rect");
    r.setAttribute("x", String(k * step)); r.setAttribute("y", "1");
    r.setAttribute("width", String(step)); r.setAttribute("height", String(h - 2));
    r.setAttribute("fill", R.legend[k]); r.setAttribute("fill-opacity", String(R.alpha[k]));
    svg.appendChild(r);
  }
  return svg;
}

// The volume section: per unit, width samples with their values (in the ramp's colour and
// opacity at their level when the map has the ramp, and the ramp between the unit's smallest
// and largest volume), then what the line styles of claims and unknown volumes mean.
function volumeSection(box, P) {
  var vs = section(box, "Volume (" + P.legend.widths[0].scale + ", per unit)"), R = P.ramp;
  for (var w = 0; w < P.legend.widths.length; w++) {
    var lw = P.legend.widths[w];
    var unitRow = el("div", "gf-legend-unit");
    unitRow.appendChild(titledBdi(lw.unit, "gf-legend-unitname"));
    for (var s = 0; s < lw.samples.length; s++) {
      var c = el("span", "gf-legend-sample"), level = R ? lw.samples[s][3] : -1;
      c.appendChild(level >= 0 ? widthSwatch(lw.samples[s][1], 22, R.legend[level], R.alpha[level])
        : widthSwatch(lw.samples[s][1], 22));
      c.appendChild(el("span", null, lw.samples[s][2]));
      unitRow.appendChild(c);
    }
    if (lw.domain) unitRow.appendChild(el("span", "gf-legend-domain", "scale " + lw.domain[0] + "–" + lw.domain[1]));
    vs.appendChild(unitRow);
    if (R && lw.ramp) {
      var rampRow = el("div", "gf-legend-unit gf-legend-ramp");
      rampRow.appendChild(el("span", null, lw.ramp[0]));
      rampRow.appendChild(rampStrip(R));
      rampRow.appendChild(el("span", null, lw.ramp[1]));
      rampRow.appendChild(el("span", "gf-legend-note", "colour and opacity by volume"));
      vs.appendChild(rampRow);
    }
  }
  vs.appendChild(el("div", "gf-legend-note gf-width-zoom", ""));
  if (P.legend.unknown) legendRow(vs, swatch(P.unknownWidth, "#555", P.unknownDash), "volume unknown");
  claimLegend(vs, P);
  return vs;
}

function addLegend(map, P, compact, name) {
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var outer = el("div", "gf-legend leaflet-bar");
    stopMap(outer);
    var details = el("details", "gf-legend-main");
    details.open = !compact;
    details.appendChild(heading("gf-summary", "Legend", name));
    outer.appendChild(details);
    var box = el("div", "gf-legend-body");
    details.appendChild(box);
    if (P.total > P.n) {
      box.appendChild(el("div", "gf-legend-note",
        "Showing the " + P.n.toLocaleString("en-US") + " largest of " +
        P.total.toLocaleString("en-US") + " flows (by volume)"));
    }
    var vs = P.legend.widths.length ? volumeSection(box, P) : null;
    if (P.legend.events && P.legend.events.length) {
      var es = vs || section(box, "Volume");
      legendRow(es, widthSwatch(2.5, 22),
        "\u25C6 events (" + P.legend.events.join(", ") + "): one width, no quantity");
    }
    if (P.markers) {
      var ps = section(box, "Places");
      var pr = el("div", "gf-legend-row");
      pr.appendChild(circleSwatch());
      pr.appendChild(el("span", "gf-place-rule", ""));
      ps.appendChild(pr);
    }
    // one sequential ramp (no colour field): the colours are the volume's, said above
    if (!(P.ramp && P.ramp.single)) {
      var cs = section(box, P.legend.colorTitle);
      var grid = el("div", "gf-legend-grid");
      for (var k = 0; k < P.colorKeys.length; k++) legendRow(grid, swatch(4, P.colors[k], null, 1, 22), P.colorKeys[k] || "(none)");
      cs.appendChild(grid);
    }
    var fs = section(box, "Confidence");
    var row = el("div", "gf-legend-inline");
    for (var d = 0; d < P.confLevels.length; d++) {
      if (!P.legend.confUsed[d]) continue;
      legendRow(row, swatch(3, "#555", P.dashes[d], 1, 26), P.confLevels[d]);
    }
    fs.appendChild(row);
    return outer;
  };
  legend.addTo(map);
  followWidths(map, P, legend.getContainer());
  return legend;
}

function addFilter(map, P, state, update, legendControl, name) {
  var filter = L.control({ position: "topright" });
  filter.onAdd = function () {
    var outer = el("div", "gf-filter leaflet-bar");
    stopMap(outer);
    var details = el("details");
    details.open = P.filterOpen;
    details.appendChild(heading("gf-summary", "Filter", name));
    outer.appendChild(details);
    var box = el("div", "gf-filter-body");
    details.appendChild(box);
    function group(title, keys, kind, used) {
      var count = 0;
      for (var u = 0; u < keys.length; u++) if (!used || used[u]) count++;
      if (count < 2) return;
      box.appendChild(el("div", "gf-legend-title", title));
      for (var k = 0; k < keys.length; k++) {
        if (used && !used[k]) continue;
        (function (k) {
          var label = el("label", "gf-check");
          var input = el("input");
          input.type = "checkbox";
          input.checked = true;
          input.setAttribute("data-kind", kind);
          input.addEventListener("change", function () {
            state.hidden[kind][k] = !input.checked;
            update();
          });
          label.appendChild(input);
          label.appendChild(document.createTextNode(" "));
          label.appendChild(titledBdi(keys[k] || "(none)"));
          box.appendChild(label);
        })(k);
      }
    }
    group(P.legend.colorTitle, P.colorKeys, "color");
    group("Unit", P.units.map(function (u) { return u || "(no unit)"; }), "unit");
    group("Confidence", P.confLevels, "conf", P.legend.confUsed);
    details.addEventListener("toggle", function () { fitFilter(map, details, box, "filter"); });
    return outer;
  };
  filter.addTo(map);
  var body = filter.getContainer().querySelector(".gf-filter-body");
  var open = filter.getContainer().querySelector("details");
  var legend = legendControl.getContainer();
  filter.getContainer().gfLegend = legend; // fitFilter keeps clear of this layer's legend
  // toggle does not bubble: listen in the capture phase for every section of the legend
  if (legend) legend.addEventListener("toggle", function () { fitFilter(map, open, body, "legend"); }, true);
  map.on("resize", function () { fitFilter(map, open, body, "filter"); });
  fitFilter(map, open, body, "filter");
  return filter;
}

// The open filter (top right) never runs under the legend (bottom right): its list scrolls
// inside the room above the legend. With too little room, the control just opened wins: the
// filter opening folds the legend, the legend opening folds the filter.
function fitFilter(map, details, body, opened) {
  var outer = body.closest(".gf-filter");
  var legend = outer && outer.gfLegend, least = 150, gap = 10;
  body.style.maxHeight = "";
  if (!details.open || !legend || !legend.offsetHeight) return;
  function room() { return legend.getBoundingClientRect().top - body.getBoundingClientRect().top - gap; }
  if (room() < least) {
    var main = legend.querySelector("details.gf-legend-main");
    if (opened === "filter" && main && main.open) main.open = false;
    else if (opened === "legend") { details.open = false; return; }
  }
  body.style.maxHeight = Math.max(0, Math.floor(room())) + "px";
}

function addTitle(map, P) {
  var title = L.control({ position: "topleft" });
  title.onAdd = function () { return el("div", "gf-title leaflet-bar", P.title); };
  title.addTo(map);
  return title;
}

// What the slider shows now, in words: "30 days to 20 Oct 2024", "on 20 Oct 2024", "all of Oct
// 2024", "all dates".
function sliderWindowText(P, state) {
  if (state.all || state.day === null) return "all dates shown";
  // a month or a year asked for (at: "2024-10"), while the slider still shows all of it
  var asked = P.atPeriod;
  if (asked && asked[2] && state.day === asked[1] && state.day - P.window === asked[0]) {
    return "all of " + periodText(asked[1], asked[2]);
  }
  if (!(P.window > 0)) return "on " + longDay(state.day);
  return P.window + (P.window === 1 ? " day" : " days") + " to " + longDay(state.day);
}

function setSliderWindow(container, P, state) {
  var node = container.querySelector(".gf-window");
  if (node) node.textContent = sliderWindowText(P, state);
}

// Time slider: a flow shows while start <= day <= end + window (undated flows always).
function addSlider(map, P, state, update, name) {
  var slider = L.control({ position: "bottomleft" });
  slider.onAdd = function () {
    var box = el("div", "gf-slider leaflet-bar");
    stopMap(box);
    if (name !== null && name !== undefined) box.appendChild(titledBdi(name, "gf-layer-name gf-slider-name"));
    var allLabel = el("label", "gf-check");
    var all = el("input");
    all.type = "checkbox";
    all.checked = state.all;
    all.className = "gf-all-dates";
    allLabel.appendChild(all);
    allLabel.appendChild(el("span", null, " all dates"));
    var range = el("input");
    range.type = "range";
    range.className = "gf-range";
    // the day asked for (at) is on the slider even past the flows' dates: "at: 2024-10" stands
    // on the 31st when the last flow is dated the 15th
    var asked = state.day === null ? P.dayMax : state.day;
    range.min = String(Math.min(P.dayMin, asked));
    range.max = String(Math.max(P.dayMax, asked));
    range.step = "1";
    range.value = String(state.day === null ? P.dayMax : state.day);
    range.setAttribute("aria-label", "date shown");
    var label = el("div", "gf-date", isoDay(Number(range.value)));
    range.disabled = state.all;
    var span = el("div", "gf-window");
    span.setAttribute("aria-live", "polite");
    range.addEventListener("input", function () {
      state.day = Number(range.value);
      label.textContent = isoDay(state.day);
      span.textContent = sliderWindowText(P, state);
      update();
    });
    all.addEventListener("change", function () {
      state.all = all.checked;
      range.disabled = state.all;
      state.day = Number(range.value);
      span.textContent = sliderWindowText(P, state);
      update();
    });
    span.textContent = sliderWindowText(P, state);
    box.appendChild(allLabel);
    box.appendChild(range);
    box.appendChild(label);
    box.appendChild(span);
    return box;
  };
  slider.addTo(map);
  return slider;
}

// Every link on the map opens in a new tab without a way back (noopener), Leaflet's attribution
// links too, which have no target: in a notebook or widget frame, a link followed in the frame
// would replace the map with the linked page, and that page could message the notebook.
function linksInNewTab(map) {
  var container = map.getContainer();
  function fix(a) {
    if (a.protocol !== "http:" && a.protocol !== "https:") return; // "#close" and the like
    if (a.target !== "_blank") a.target = "_blank";
    if (a.rel !== "noopener noreferrer") a.rel = "noopener noreferrer";
  }
  function fixAll(root) {
    var links = root.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) fix(links[i]);
  }
  container.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href]") : null;
    if (a) fix(a);
  }, true);
  var attribution = map.attributionControl && map.attributionControl.getContainer();
  if (attribution) {
    fixAll(attribution);
    // Leaflet rewrites the attribution's markup whenever a layer with one is added
    if (typeof MutationObserver === "function") {
      new MutationObserver(function () { fixAll(attribution); })
        .observe(attribution, { childList: true, subtree: true });
    }
  }
}
