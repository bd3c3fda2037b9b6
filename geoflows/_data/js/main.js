/* main.js: draw(map, payload, fit, options), exported as window.geoflowsDraw, puts one payload of
 * flows on a map and returns the Leaflet layer a layer control toggles (FlowGroup). */
function placeIndex(P) {
  var m = P.places.name.length, inn = new Array(m), out = new Array(m);
  for (var p = 0; p < m; p++) { inn[p] = []; out[p] = []; }
  for (var i = 0; i < P.n; i++) { out[P.o[i]].push(i); inn[P.d[i]].push(i); }
  return { "in": inn, out: out };
}

// Every spelling the records give each place (P.given: the text of an end where it differs from
// the resolved name), and a waypoint's at the place's point: the search box finds them all.
function placeSpellings(P) {
  var m = P.places.name.length, out = new Array(m), seen = new Array(m);
  for (var p = 0; p < m; p++) { out[p] = []; seen[p] = {}; }
  function add(p, text) {
    if (!text || text === P.places.name[p] || seen[p][text]) return;
    seen[p][text] = true; out[p].push(String(text));
  }
  for (var i = 0; i < P.n; i++) { add(P.o[i], cell(P.given[0], i)); add(P.d[i], cell(P.given[1], i)); }
  var also = (P.waypoints && P.waypoints.placeAlso) || [];
  for (var k = 0; k < also.length; k++) for (var j = 0; j < also[k][1].length; j++) add(also[k][0], also[k][1][j]);
  return out;
}

// The waypoints (via) as label and search entries, each with a small marker of its own (in
// `group`, which is shown and hidden with the flows).
function waypointEntries(group, P) {
  var W = P.waypoints, out = [];
  if (!W || !W.name.length) return out;
  var s = Math.pow(10, P.precision), renderer = L.canvas({ padding: 0.2 });
  for (var w = 0; w < W.name.length; w++) {
    var lat = W.lat[w] / s, lon = W.lon[w] / s;
    L.circleMarker([lat, lon], { renderer: renderer, radius: 3, weight: 1.5, color: "#333",
      fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(group);
    out.push({ name: W.name[w], also: W.also[w], lat: lat, lon: lon, weight: W.of[w].length,
      waypoint: w, radius: 3 });
  }
  return out;
}

// Which entries of the label list have a flow shown now: a place with a drawn flow, a waypoint
// of one (so the slider's active places keep their names and hidden ones give up the room),
// and how large each marker is drawn.
function entriesShown(P, state, entries) {
  var place = new Uint8Array(P.places.name.length), W = P.waypoints;
  for (var i = 0; i < P.n; i++) if (state.drawn[i]) { place[P.o[i]] = 1; place[P.d[i]] = 1; }
  var flags = new Array(entries.length), radii = new Array(entries.length);
  for (var e = 0; e < entries.length; e++) {
    var en = entries[e];
    if (en.waypoint === undefined) {
      flags[e] = !!place[en.index];
      radii[e] = P.markers ? state.radius[en.index] : 0;
      continue;
    }
    var of = W.of[en.waypoint], on = false;
    for (var k = 0; k < of.length && !on; k++) on = !!state.drawn[of[k]] || claimDrawn(P, state, of[k]);
    flags[e] = on;
    radii[e] = en.radius;
  }
  return { flags: flags, radii: radii };
}

// A merged claim is drawn by its lead: a waypoint of any shown claim of the movement is shown.
function claimDrawn(P, state, i) {
  return P.claim[i] >= 0 && !!state.visible[i];
}

// Each movement of several claims once at each place it names: add(place, claim) with its
// most confident claim shown that names the place (members are listed best first).
function placeMovements(P, state, add) {
  for (var g = 0; g < P.claims.length; g++) {
    var members = P.claims[g], seen = {};
    for (var k = 0; k < members.length; k++) {
      var j = members[k];
      if (!state.visible[j]) continue;
      var ends = [P.o[j], P.d[j]];
      for (var e = 0; e < 2; e++) {
        if (seen[ends[e]]) continue;
        seen[ends[e]] = true;
        add(ends[e], j);
      }
    }
  }
}

// Popups live in a pane of their own above the controls (Leaflet's popup pane sits inside the
// map pane, whose transform keeps it under every control); it follows the map pane's offset.
function popupPaneOnTop(map) {
  if (map._panes.gfPopupPane) return "gfPopupPane";
  var pane = L.DomUtil.create("div", "leaflet-pane gf-popup-pane", map.getContainer());
  map._panes.gfPopupPane = pane;
  function sync() { L.DomUtil.setPosition(pane, map._getMapPanePos()); }
  map.on("move zoom viewreset zoomend moveend", sync);
  sync();
  return "gfPopupPane";
}

// What one payload puts on the map, as one Leaflet layer: a layer control (folium.LayerControl)
// lists it by its name, and removing it hides its flows, their place circles, waypoint markers
// and names, its controls and its popup; adding it shows them again as they were (the filter's
// and the slider's choices kept). The basemap is geography, not this layer's: it stays.
var FlowGroup = L.Layer.extend({
  initialize: function (parts) { this.parts = parts; this.shown = true; this.isGeoflowsGroup = true; },
  onAdd: function (map) { this._show(map, true); },
  onRemove: function (map) { this._show(map, false); },
  _show: function (map, on) {
    if (this.shown === on) return;
    this.shown = on;
    var p = this.parts;
    if (on) { map.addLayer(p.canvas); map.addLayer(p.marks); } else { map.removeLayer(p.canvas); map.removeLayer(p.marks); p.hide(); }
    for (var c = 0; c < p.controls.length; c++) p.controls[c].getContainer().style.display = on ? "" : "none";
    if (p.labels) p.labels.setVisible(on);
    // the other layers' names take the room this layer's leave (or give it back)
    var all = map._gfLabels || [];
    for (var k = 0; k < all.length; k++) if (all[k] !== p.labels) all[k].update();
    map.getContainer().setAttribute("data-geoflows-layers-shown", String(shownGroups(map)));
  }
});

// How many of the map's flow layers are shown now (Leaflet calls onRemove before it forgets the layer).
function shownGroups(map) {
  var all = map._gfGroups || [], n = 0;
  for (var k = 0; k < all.length; k++) if (all[k].shown) n++;
  return n;
}

function draw(map, P, fit, options) {
  var opts = options || {}, name = opts.label === undefined ? null : opts.label;
  expandConstants(P);
  var n = P.n;
  var state = {
    visible: new Uint8Array(n), drawn: new Uint8Array(n), band: new Float64Array(n), shift: new Float64Array(n),
    count: 0,
    hidden: { color: {}, unit: {}, conf: {} }, day: P.at, all: P.at === null,
    focus: null, place: -1, placeFocus: null, radius: new Float64Array(P.places.name.length)
  };
  var idx = placeIndex(P);
  state["in"] = idx["in"]; state.out = idx.out;
  // one basemap a map: a second layer's page carries none (FlowLayer gives the first all places)
  if (P.basemap && !map.getPane("geoflows-basemap")) drawBasemap(map, P.basemap, P.bounds);
  var places = decodePlaces(P), paths = buildPaths(P, places), content = Content(P);
  var layer = new FlowCanvas(P, paths, places, state);
  layer.P = P;
  var container = map.getContainer();
  var size = map.getSize(), compact = size.x < 1000 || size.y < 600;
  // several layers' legends open folded, each one line headed by its name: the corner stays clear
  var legend = addLegend(map, P, compact || name !== null, name), controls = [legend];
  linksInNewTab(map);
  controls.push(addFilter(map, P, state, update, legend, name));
  if (P.title) controls.push(addTitle(map, P));
  var slider = P.slider && P.dayMin !== null ? addSlider(map, P, state, update, name) : null;
  if (slider) controls.push(slider);

  // The map's state for whoever frames it (gf.FlowWidget's bridge): the flows clicked (or of the
  // place clicked), the flows shown, the slider's day and window, the view. "geoflows:set-at"
  // moves the slider from outside.
  var selected = null, idColumn = null;
  for (var fi = 0; fi < P.fields.length; fi++) if (P.fields[fi][0] === "id") idColumn = P.fields[fi][1];
  function flowId(i) { return String(cell(idColumn, i)); }
  function indicesOf(mask) {
    var out = [];
    for (var i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
    return out;
  }
  function announce() {
    if (!layer) return;
    var b = map.getBounds(), shown = indicesOf(state.visible);
    container.dispatchEvent(new CustomEvent("geoflows:change", { detail: {
      selected: (selected || []).map(flowId), visible: shown.map(flowId),
      at: state.all ? null : isoDay(state.day),
      window: state.all ? [] : [isoDay(state.day - P.window), isoDay(state.day)],
      bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]
    } }));
  }
  container.addEventListener("geoflows:set-at", function (e) {
    var at = e.detail, day = at === null ? null : Math.round(Date.parse(at) / DAY);
    if (at !== null && !isFinite(day)) return;
    state.all = day === null;
    if (day !== null) state.day = day;
    var box = slider ? slider.getContainer() : null;
    var all = box && box.querySelector(".gf-all-dates"), range = box && box.querySelector(".gf-range");
    var label = box && box.querySelector(".gf-date");
    if (all) all.checked = state.all;
    if (range) { range.disabled = state.all; if (day !== null) range.value = String(day); }
    if (label && day !== null) label.textContent = isoDay(day);
    if (box) setSliderWindow(box, P, state);
    update();
  });
  map.on("moveend", function () { announce(); });

  function active(i) {
    if (state.all) return true;
    var t0 = P.t0[i], t1 = P.t1[i];
    if (t0 === null && t1 === null) return true;
    var start = t0 === null ? t1 : t0, end = t1 === null ? t0 : t1;
    return start <= state.day && end + P.window >= state.day;
  }

  // Several claims about one movement are drawn as one line: the most confident claim shown
  // now, with a band as wide as the widest of them. Claims that name different places (a
  // group whose sources disagree on the port of loading) are one line per pair of places
  // (P.claimPart), each with the movement's band: no place named loses its line.
  function claimsShown() {
    for (var i = 0; i < n; i++) {
      state.drawn[i] = state.visible[i] && P.claim[i] < 0 ? 1 : 0;
      state.band[i] = P.halo[i];
    }
    for (var g = 0; g < P.claims.length; g++) {
      var members = P.claims[g], leads = {}, list = [], band = 0;
      for (var k = 0; k < members.length; k++) {
        var j = members[k], part = P.claimPart ? P.claimPart[j] : 0;
        if (!state.visible[j]) continue;
        if (!(part in leads)) { leads[part] = j; list.push(j); }
        band = Math.max(band, P.halo[j], P.width[j]);
      }
      for (k = 0; k < list.length; k++) {
        var lead = list[k];
        state.drawn[lead] = 1;
        state.band[lead] = band > P.width[lead] ? band : P.halo[lead];
      }
    }
  }

  // Place circles: when the flows shown are of one unit, sized by each place's in + out volume
  // of that unit; otherwise, by how many flows pass through it, since volumes of different
  // units cannot be added. A movement counts once at each place it names, by its most
  // confident claim shown that names the place (placeMovements): a group drawn as two lines
  // from two ports to one destination counts once there, and once at each port.
  function bestVolume(i) {
    var v = P.vol[i], lo = P.low[i], hi = P.high[i];
    if (v >= 0) return v;
    if (lo >= 0 && hi >= 0) return (lo + hi) / 2;
    return lo >= 0 ? lo : (hi >= 0 ? hi : 0);
  }
  function placeRadius() {
    var m = state.radius.length, k = new Int32Array(m), vol = new Float64Array(m);
    var unitShown = -1, oneUnit = true;
    function add(p, i) { k[p]++; vol[p] += bestVolume(i); }
    for (var i = 0; i < n; i++) {
      if (!state.drawn[i]) continue;
      if (P.claim[i] < 0) { add(P.o[i], i); add(P.d[i], i); }
      if (unitShown < 0) unitShown = P.unit[i];
      else if (P.unit[i] !== unitShown) oneUnit = false;
    }
    placeMovements(P, state, add);
    var top = 0;
    for (var q = 0; q < m; q++) top = Math.max(top, vol[q]);
    state.radiusUnit = oneUnit && top > 0 ? P.units[unitShown] : null;
    for (var p = 0; p < m; p++) {
      var r = state.radiusUnit !== null ? 3 + 11 * Math.sqrt(vol[p] / top) : 3 + 2 * Math.sqrt(k[p]);
      state.radius[p] = k[p] ? Math.round(r * 10) / 10 : 0;
    }
  }

  // Names follow what is shown: a place without a flow shown gives up its label's room.
  var labels = null, named = [];
  function showLabels() {
    if (!labels) return;
    var shown = entriesShown(P, state, named);
    labels.setShown(shown.flags, shown.radii);
  }

  function update() {
    var count = 0;
    for (var i = 0; i < n; i++) {
      var want = !state.hidden.color[P.color[i]] && !state.hidden.unit[P.unit[i]] &&
        !state.hidden.conf[P.conf[i]] && active(i);
      state.visible[i] = want ? 1 : 0;
      if (want) count++;
    }
    state.count = count;
    claimsShown();
    if (P.markers) { placeRadius(); setPlaceRule(legend, state.radiusUnit); }
    container.setAttribute("data-geoflows-visible", String(count));
    layer.redraw();
    showLabels();
    announce();
  }

  // Clicking a place highlights its flows (in and out) and dims the rest; again: clears.
  function focusPlace(p) {
    if (p < 0 || state.place === p) {
      state.focus = null; state.place = -1; state.placeFocus = null;
    } else {
      state.focus = new Uint8Array(n); state.placeFocus = new Uint8Array(P.places.name.length);
      state.place = p;
      var lists = [state["in"][p], state.out[p]];
      for (var k = 0; k < 2; k++) {
        for (var q = 0; q < lists[k].length; q++) {
          var i = lists[k][q];
          state.focus[i] = 1; state.placeFocus[P.o[i]] = 1; state.placeFocus[P.d[i]] = 1;
        }
      }
    }
    container.setAttribute("data-geoflows-focus", String(state.place));
    selected = state.focus ? indicesOf(state.focus) : null;
    layer.redraw();
    announce();
  }

  // Pointer: the place or flow under it gets a tooltip; a click opens its popup.
  var tip = L.tooltip({ className: "gf-tooltip", direction: "bottom", offset: [0, 14], opacity: 1 });
  var popupOpen = false, popupPane = popupPaneOnTop(map), popup = null;
  function openPopup(node, latlng) {
    map.closeTooltip(tip);
    // no wider than the map leaves room for; placePopup sizes and places it (popup.js)
    var room = map.getSize().x - 2 * POPUP_MARGIN - 50;
    popup = L.popup({ maxWidth: Math.max(160, Math.min(420, room)), className: "gf-popup-wrap",
      pane: popupPane, autoPan: false }).setLatLng(latlng).setContent(node).openOn(map);
    placePopup(map, popup);
  }
  // a zoom or a new size moves the point: the popup is placed again by it, while in view
  map.on("zoomend resize", function () {
    if (popup && popupOpen && map.getBounds().contains(popup.getLatLng())) placePopup(map, popup);
  });
  map.on("popupopen", function () { popupOpen = true; map.closeTooltip(tip); });
  map.on("popupclose", function () { popupOpen = false; });
  function showTip(node, latlng) {
    if (popupOpen) return; // tooltip and popup never overlap
    tip.setContent(node).setLatLng(latlng);
    if (!map.hasLayer(tip)) map.openTooltip(tip);
  }
  function pointer(e) {
    // a place circle is drawn over the lines, so it wins over them: a click on a marker
    // selects the place, not a line that starts (or passes) under it
    var pt = e.containerPoint, p = layer.placeAt(pt.x, pt.y);
    return p >= 0 ? { place: p, flow: -1 } : { place: -1, flow: layer.flowAt(pt.x, pt.y) };
  }
  map.on("mousemove", function (e) {
    if (!group.shown) return;
    var hit = pointer(e);
    layer.highlight(hit.flow);
    container.classList.toggle("gf-pointer", hit.flow >= 0 || hit.place >= 0);
    if (hit.place >= 0) showTip(content.placeTooltip(hit.place, state), e.latlng);
    else if (hit.flow >= 0) showTip(content.tooltip(hit.flow, state), e.latlng);
    else map.closeTooltip(tip);
  });
  map.on("mouseout", function () { layer.highlight(-1); map.closeTooltip(tip); });
  map.on("click", function (e) {
    if (!group.shown) return;
    var hit = pointer(e);
    if (hit.place >= 0) {
      focusPlace(hit.place);
      openPopup(content.placePopup(hit.place, state), e.latlng);
    } else if (hit.flow >= 0) {
      openPopup(content.popup(hit.flow, state), e.latlng);
      selected = P.claim[hit.flow] >= 0 ? P.claims[P.claim[hit.flow]].slice() : [hit.flow];
      announce();
    } else if (state.focus) {
      focusPlace(-1);
    }
  });

  // Fit whenever the container gets a size, and on resize, until the user moves the map.
  // several layers on one map fit the view to all of them (options.bounds)
  var target = opts.bounds || P.focus || P.bounds, userMoved = false, fitting = false;
  function fitNow() {
    var s = map.getSize();
    if (!fit || !target || userMoved || !s.x || !s.y) return;
    var box = legend.getContainer();
    fitting = true;
    map.fitBounds(target, { animate: false, paddingTopLeft: [20, 20],
      paddingBottomRight: [Math.min(box.offsetWidth + 20, s.x / 3), Math.min(box.offsetHeight + 20, s.y / 3)] });
    fitting = false;
  }
  map.on("dragstart", function () { userMoved = true; });
  map.on("zoomstart", function () { if (!fitting) userMoved = true; });
  fitNow();
  if (typeof ResizeObserver === "function") {
    var last = [size.x, size.y];
    new ResizeObserver(function () {
      var w = container.clientWidth, h = container.clientHeight;
      if (w === last[0] && h === last[1]) return;
      last = [w, h];
      map.invalidateSize({ animate: false });
      fitNow();
    }).observe(container);
  }
  update();  // before the layer is on the map: the first frame is drawn once
  layer.addTo(map);
  var marks = L.layerGroup().addTo(map);
  var group = new FlowGroup({ canvas: layer, marks: marks, controls: controls, labels: null, hide: function () {
    map.closeTooltip(tip);
    if (popupOpen) map.closePopup();
    if (state.focus) focusPlace(-1);
  } });

  // Place names and the search box (labels.js, search.js), when they are part of the page.
  var spellings = placeSpellings(P);
  named = [];
  for (var p = 0; p < P.places.name.length; p++) {
    if (!P.places.name[p]) continue; // coordinate-only places get no label
    var list = state["in"][p].concat(state.out[p]), volume = 0;
    for (var q = 0; q < list.length; q++) if (P.vol[list[q]] > 0) volume += P.vol[list[q]];
    // number of flows, and volume only to break ties
    var weight = list.length + Math.min(0.99, Math.log(1 + volume) / 100);
    named.push({ name: P.places.name[p], also: spellings[p], lat: places.lat[p], lon: places.lon[p],
      weight: weight, index: p });
  }
  named = named.concat(waypointEntries(marks, P));
  labels = null;
  if (P.labels && typeof gfLabels === "function") {
    // each layer its own pane of names (hidden with it); the layers' names avoid each other
    var panes = map._gfLabels || (map._gfLabels = []);
    labels = gfLabels(map, named, { pane: panes.length ? "gf-labels-" + panes.length : "gf-labels" });
    panes.push(labels);
    group.parts.labels = labels;
    showLabels();
  }
  if (typeof gfSearch === "function") {
    controls.push(gfSearch(map, named, function (k) {
      var pl = named[k] || {};
      if (pl.index !== undefined) focusPlace(pl.index);
    }, name === null ? {} : { placeholder: "Find a place: " + name }).control);
  }

  layer.api = {
    count: function () { return state.count; },
    // whether the view is fully drawn (a large view is drawn in chunks; "geoflows:drawn" on the
    // map's container says when each pass is done)
    drawn: function () { return layer.complete; },
    pointOf: function (i) { return layer.pointOf(i); },
    openPopup: function (i) {
      var pt = layer.pointOf(i);
      openPopup(content.popup(i, state), map.containerPointToLatLng(pt));
    },
    tooltipText: function (i) { return content.tooltip(i, state).textContent; },
    placeTooltipText: function (p) { return content.placeTooltip(p, state).textContent; },
    openPlace: function (p) {
      focusPlace(p);
      openPopup(content.placePopup(p, state), L.latLng(places.lat[p], places.lon[p]));
    },
    focusPlace: focusPlace,
    flowId: flowId,
    labels: labels
  };
  group.api = layer.api;
  (map._gfGroups || (map._gfGroups = [])).push(group);
  group.state = state;
  if (opts.show === false) group._show(map, false);
  else group.addTo(map);
  container.setAttribute("data-geoflows-layers-shown", String(shownGroups(map)));
  return group;
}
