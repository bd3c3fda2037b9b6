/* geoflows FlowLayer: draws one JSON payload of flows on a Leaflet map.
 *
 * Safety rule: every piece of text that came from data is put into the page with
 * textContent (or as an attribute value after a protocol check), never with innerHTML.
 */
(function () {
  "use strict";
  var DAY = 86400000;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
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

  // Offline country outlines under the flows (maps without tiles); copies east and west of
  // the antimeridian when the flows cross it.
  function drawBasemap(map, B, bounds) {
    var pane = map.createPane("geoflows-basemap");
    pane.style.zIndex = 250;
    map.getContainer().style.background = "#dfe8ef";
    var renderer = L.svg({ pane: pane, padding: 0.5 });
    var scale = Math.pow(10, B.precision), shifts = [0];
    if (bounds && bounds[1][1] > 180) shifts.push(360);
    if (bounds && bounds[0][1] < -180) shifts.push(-360);
    for (var s = 0; s < shifts.length; s++) {
      var polys = [];
      for (var r = 0; r < B.rings.length; r++) {
        var ring = B.rings[r], pts = new Array(ring.length / 2), x = 0, y = 0;
        for (var k = 0; k < ring.length; k += 2) {
          x += ring[k]; y += ring[k + 1];
          pts[k / 2] = [y / scale, x / scale + shifts[s]];
        }
        polys.push([pts]);
      }
      L.polygon(polys, {
        pane: pane, renderer: renderer, interactive: false, color: "#a9a9a9", weight: 0.7,
        fillColor: "#f7f5f0", fillOpacity: 1, className: "geoflows-basemap"
      }).addTo(map);
    }
  }

  function draw(map, P, fit) {
    var n = P.n;
    var renderer = P.renderer === "canvas" ? L.canvas({ padding: 0.5 }) : L.svg({ padding: 0.5 });
    var state = {
      flows: [], halos: [], arrows: [], visible: new Array(n), shift: new Float64Array(n),
      hidden: { color: {}, unit: {}, conf: {} }, day: P.at, all: P.at === null
    };
    if (P.basemap) drawBasemap(map, P.basemap, P.bounds);
    var group = L.layerGroup().addTo(map);
    var arrowGroup = L.layerGroup().addTo(map);

    // Coordinates arrive as delta-encoded integers (lon, lat interleaved); decode them once.
    var scale = Math.pow(10, P.precision), xy = new Float64Array(P.coords.length);
    var lon = 0, lat = 0;
    for (var c = 0; c < P.coords.length; c += 2) {
      lon += P.coords[c]; lat += P.coords[c + 1];
      xy[c] = lon / scale; xy[c + 1] = lat / scale;
    }

    function latlngs(i) {
      var a = P.offsets[i], b = P.offsets[i + 1], out = new Array(b - a);
      for (var k = a; k < b; k++) out[k - a] = [xy[2 * k + 1], xy[2 * k]];
      return out;
    }

    // Field columns are arrays, or dictionary-encoded as {k: keys, i: codes}.
    var fieldAt = {};
    for (var fi = 0; fi < P.fields.length; fi++) fieldAt[P.fields[fi][0]] = P.fields[fi][1];
    function cell(column, i) {
      if (!column) return "";
      return Array.isArray(column) ? column[i] : column.k[column.i[i]];
    }
    function field(name, i) { return cell(fieldAt[name], i); }

    function tooltipFor(i) {
      return function () {
        var box = el("div", "gf-tip");
        box.appendChild(el("div", "gf-tip-title", P.label[i]));
        box.appendChild(el("div", "gf-tip-line", field("volume", i)));
        var start = field("start", i), end = field("end", i);
        var when = start && end && start !== end ? start + " – " + end : (start || end);
        if (when) box.appendChild(el("div", "gf-tip-line", when));
        var meta = [field("kind", i), field("category", i), field("mode", i), field("confidence", i)];
        box.appendChild(el("div", "gf-tip-line", meta.filter(function (x) { return x; }).join(" · ")));
        return box;
      };
    }

    function popupFor(i) {
      return function () {
        var box = el("div", "gf-popup");
        box.appendChild(el("div", "gf-popup-title", P.label[i]));
        var table = el("table", "gf-fields");
        for (var f = 0; f < P.fields.length; f++) {
          var value = cell(P.fields[f][1], i);
          if (value === null || value === "") continue;
          var tr = el("tr");
          tr.appendChild(el("th", null, P.fields[f][0]));
          tr.appendChild(el("td", null, value));
          table.appendChild(tr);
        }
        box.appendChild(table);
        var srcs = P.sources[i];
        if (srcs && srcs.length) {
          box.appendChild(el("div", "gf-popup-sub", "Sources"));
          var ol = el("ol", "gf-sources");
          for (var s = 0; s < srcs.length; s++) {
            var li = el("li");
            var href = safeUrl(srcs[s]);
            if (href) {
              var a = el("a", null, srcs[s]);
              a.href = href;
              a.target = "_blank";
              a.rel = "noopener noreferrer";
              li.appendChild(a);
            } else {
              li.textContent = srcs[s];
            }
            ol.appendChild(li);
          }
          box.appendChild(ol);
        }
        return box;
      };
    }

    for (var i = 0; i < n; i++) {
      var color = P.colors[P.color[i]];
      var unknown = P.unknown[i] === 1;
      var dash = unknown ? P.unknownDash : P.dashes[P.conf[i]];
      var pts = latlngs(i);
      if (P.halo[i] > 0) {
        state.halos[i] = L.polyline(pts, {
          renderer: renderer, color: color, weight: P.halo[i], opacity: 0.25,
          interactive: false, className: "geoflows-range", lineCap: "butt"
        });
      }
      var line = L.polyline(pts, {
        renderer: renderer, color: color, weight: P.width[i], opacity: 0.85,
        dashArray: dash || null, className: "geoflows-flow", lineCap: dash ? "butt" : "round"
      });
      line.bindTooltip(tooltipFor(i), { sticky: true, className: "gf-tooltip" });
      line.bindPopup(popupFor(i), { maxWidth: 420, className: "gf-popup-wrap" });
      line.on("mouseover", function () { this.setStyle({ opacity: 1 }); });
      line.on("mouseout", function () { this.setStyle({ opacity: 0.85 }); });
      state.flows[i] = line;
    }

    // Flows sharing a corridor are shifted to their right, in pixels, at every zoom.
    var shiftedFlows = [];
    for (var o = 0; o < n; o++) if (P.offset[o]) shiftedFlows.push(o);

    function shifted(i) {
      var pts = latlngs(i), d = P.offset[i], px = new Array(pts.length), out = new Array(pts.length);
      var length = 0;
      for (var k = 0; k < pts.length; k++) {
        px[k] = map.project(pts[k]);
        if (k) length += px[k].distanceTo(px[k - 1]);
      }
      // A line only a few pixels long at this zoom is shifted less, so it stays by its ends.
      d *= Math.min(1, length / (8 * Math.abs(d)));
      state.shift[i] = d;
      for (var q = 0; q < px.length; q++) {
        var prev = px[Math.max(q - 1, 0)], next = px[Math.min(q + 1, px.length - 1)];
        var dx = next.x - prev.x, dy = next.y - prev.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
        out[q] = map.unproject(L.point(px[q].x - dy / len * d, px[q].y + dx / len * d));
      }
      return out;
    }

    function applyOffsets() {
      for (var k = 0; k < shiftedFlows.length; k++) {
        var i = shiftedFlows[k], pts = shifted(i);
        state.flows[i].setLatLngs(pts);
        if (state.halos[i]) state.halos[i].setLatLngs(pts);
      }
    }

    function active(i) {
      if (state.all) return true;
      var t0 = P.t0[i], t1 = P.t1[i];
      if (t0 === null && t1 === null) return true;
      var start = t0 === null ? t1 : t0, end = t1 === null ? t0 : t1;
      return start <= state.day && end + P.window >= state.day;
    }

    function shown(i) {
      return !state.hidden.color[P.color[i]] && !state.hidden.unit[P.unit[i]] &&
        !state.hidden.conf[P.conf[i]] && active(i);
    }

    function drawArrows() {
      arrowGroup.clearLayers();
      state.arrows = [];
      if (!P.arrows || state.count > P.arrowLimit) return;
      for (var j = 0; j < n; j++) {
        if (!state.visible[j]) continue;
        // project() does not round to whole pixels, so short lines keep a direction.
        var origin = map.getPixelOrigin();
        var a = map.project([P.mid[4 * j + 1], P.mid[4 * j]]).subtract(origin);
        var b = map.project([P.mid[4 * j + 3], P.mid[4 * j + 2]]).subtract(origin);
        var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy);
        if (!(len > 0)) continue;
        dx /= len; dy /= len;
        a = L.point(a.x - dy * state.shift[j], a.y + dx * state.shift[j]);
        var size = 5 + P.width[j] * 1.2;
        var tip = L.point(a.x + dx * size * 0.5, a.y + dy * size * 0.5);
        var left = L.point(tip.x - dx * size - dy * size * 0.6, tip.y - dy * size + dx * size * 0.6);
        var right = L.point(tip.x - dx * size + dy * size * 0.6, tip.y - dy * size - dx * size * 0.6);
        state.arrows.push(L.polyline(
          [map.layerPointToLatLng(left), map.layerPointToLatLng(tip), map.layerPointToLatLng(right)],
          { renderer: renderer, color: P.colors[P.color[j]], weight: Math.max(2, P.width[j] * 0.6),
            opacity: 0.95, interactive: false, className: "geoflows-arrow", lineJoin: "miter" }
        ).addTo(arrowGroup));
      }
    }

    var arrowsPending = false;
    function scheduleArrows() {
      // Several triggers in one frame (filter, fit, zoom) build the arrowheads once.
      if (arrowsPending) return;
      arrowsPending = true;
      L.Util.requestAnimFrame(function () { arrowsPending = false; drawArrows(); });
    }

    function update() {
      for (var i = 0; i < n; i++) {
        var want = shown(i);
        if (want === state.visible[i]) continue;
        state.visible[i] = want;
        if (want) {
          if (state.halos[i]) state.halos[i].addTo(group);
          state.flows[i].addTo(group);
        } else {
          if (state.halos[i]) group.removeLayer(state.halos[i]);
          group.removeLayer(state.flows[i]);
        }
      }
      scheduleArrows();
      var count = 0;
      for (var j = 0; j < n; j++) if (state.visible[j]) count++;
      state.count = count;
      map.getContainer().setAttribute("data-geoflows-visible", String(count));
    }

    // Place markers, sized by the number of flows through the place.
    var places = L.layerGroup();
    for (var p = 0; p < P.places.name.length; p++) {
      (function (p) {
        var marker = L.circleMarker([P.places.lat[p], P.places.lon[p]], {
          renderer: renderer, radius: P.places.radius[p], color: "#222", weight: 1,
          fillColor: "#fff", fillOpacity: 0.9, className: "geoflows-place"
        });
        marker.bindTooltip(function () { return el("span", null, P.places.name[p]); });
        marker.bindPopup(function () {
          var box = el("div", "gf-popup");
          box.appendChild(el("div", "gf-popup-title", P.places.name[p]));
          var lists = [["Outgoing", P.places.out[p]], ["Incoming", P.places["in"][p]]];
          for (var k = 0; k < lists.length; k++) {
            if (!lists[k][1].length) continue;
            box.appendChild(el("div", "gf-popup-sub", lists[k][0] + " (" + lists[k][1].length + ")"));
            var ul = el("ul", "gf-place-flows");
            for (var q = 0; q < lists[k][1].length; q++) {
              var f = lists[k][1][q];
              ul.appendChild(el("li", null, P.label[f] + " — " + field("volume", f)));
            }
            box.appendChild(ul);
          }
          return box;
        }, { maxWidth: 420 });
        marker.addTo(places);
      })(p);
    }

    // Legend: widths per unit, colours, confidence dash patterns.
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var outer = el("div", "gf-legend leaflet-bar");
      stopMap(outer);
      var details = el("details");
      details.open = true;
      details.appendChild(el("summary", "gf-summary", "Legend"));
      outer.appendChild(details);
      var box = el("div", "gf-legend-body");
      details.appendChild(box);
      function swatch(width, color, dash, opacity, length) {
        var len = length || 44;
        var svgNS = "http://www.w3.org/2000/svg";
        var svg = document.createElementNS(svgNS, "svg");
        svg.setAttribute("width", String(len));
        svg.setAttribute("height", String(Math.max(12, Math.ceil(width) + 4)));
        var ln = document.createElementNS(svgNS, "line");
        var y = String(Math.max(12, Math.ceil(width) + 4) / 2);
        ln.setAttribute("x1", "2"); ln.setAttribute("x2", String(len - 2));
        ln.setAttribute("y1", y); ln.setAttribute("y2", y);
        ln.setAttribute("stroke", color);
        ln.setAttribute("stroke-width", String(width));
        ln.setAttribute("stroke-opacity", String(opacity === undefined ? 1 : opacity));
        if (dash) ln.setAttribute("stroke-dasharray", dash);
        svg.appendChild(ln);
        return svg;
      }
      function row(parent, svg, text) {
        var r = el("div", "gf-legend-row");
        r.appendChild(svg);
        r.appendChild(el("span", null, text));
        parent.appendChild(r);
      }
      if (P.legend.widths.length) box.appendChild(el("div", "gf-legend-title", "Volume (" + P.legend.widths[0].scale + " scale, per unit)"));
      for (var w = 0; w < P.legend.widths.length; w++) {
        var lw = P.legend.widths[w];
        var unitRow = el("div", "gf-legend-unit");
        unitRow.appendChild(el("span", "gf-legend-unitname", lw.unit));
        for (var s = 0; s < lw.samples.length; s++) {
          var cell = el("span", "gf-legend-sample");
          cell.appendChild(swatch(lw.samples[s][1], "#555", null, 1, 26));
          cell.appendChild(el("span", null, lw.samples[s][2]));
          unitRow.appendChild(cell);
        }
        box.appendChild(unitRow);
      }
      if (P.legend.unknown) row(box, swatch(P.unknownWidth, "#555", P.unknownDash), "volume unknown");
      if (P.legend.range) row(box, swatch(10, "#555", null, 0.25), "band: low–high range");
      box.appendChild(el("div", "gf-legend-title", P.legend.colorTitle));
      for (var c = 0; c < P.colorKeys.length; c++) row(box, swatch(4, P.colors[c]), P.colorKeys[c] || "(none)");
      box.appendChild(el("div", "gf-legend-title", "Confidence"));
      for (var d = 0; d < P.confLevels.length; d++) {
        if (!P.legend.confUsed[d]) continue;
        row(box, swatch(3, "#555", P.dashes[d]), P.confLevels[d]);
      }
      return outer;
    };
    legend.addTo(map);

    // Filters: one checkbox per colour key, unit and confidence level.
    var filter = L.control({ position: "topright" });
    filter.onAdd = function () {
      var outer = el("div", "gf-filter leaflet-bar");
      stopMap(outer);
      var details = el("details");
      details.open = P.filterOpen;
      details.appendChild(el("summary", "gf-summary", "Filter"));
      outer.appendChild(details);
      var box = el("div", "gf-filter-body");
      details.appendChild(box);
      function group_(title, keys, kind, used) {
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
            label.appendChild(el("span", null, " " + (keys[k] || "(none)")));
            box.appendChild(label);
          })(k);
        }
      }
      group_(P.legend.colorTitle, P.colorKeys, "color");
      group_("Unit", P.units.map(function (u) { return u || "(no unit)"; }), "unit");
      group_("Confidence", P.confLevels, "conf", P.legend.confUsed);
      return outer;
    };
    filter.addTo(map);

    if (P.title) {
      var title = L.control({ position: "topleft" });
      title.onAdd = function () { return el("div", "gf-title leaflet-bar", P.title); };
      title.addTo(map);
      document.title = P.title;
    }

    // Time slider: a flow shows while start <= day <= end + window (undated flows always).
    if (P.slider && P.dayMin !== null) {
      var slider = L.control({ position: "bottomleft" });
      slider.onAdd = function () {
        var box = el("div", "gf-slider leaflet-bar");
        stopMap(box);
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
        range.min = String(P.dayMin);
        range.max = String(P.dayMax);
        range.step = "1";
        range.value = String(state.day === null ? P.dayMax : state.day);
        var label = el("div", "gf-date", isoDay(Number(range.value)));
        range.disabled = state.all;
        range.addEventListener("input", function () {
          state.day = Number(range.value);
          label.textContent = isoDay(state.day);
          update();
        });
        all.addEventListener("change", function () {
          state.all = all.checked;
          range.disabled = state.all;
          state.day = Number(range.value);
          update();
        });
        box.appendChild(allLabel);
        box.appendChild(range);
        box.appendChild(label);
        return box;
      };
      slider.addTo(map);
    }

    // Fit first, then add the flows: every line is projected once, at the final zoom.
    if (fit && P.bounds) {
      // Keep the flows clear of the legend in the bottom-right corner.
      var box = legend.getContainer();
      map.fitBounds(P.bounds, { animate: false, paddingTopLeft: [20, 20],
        paddingBottomRight: [Math.min(box.offsetWidth + 20, map.getSize().x / 3), 20] });
    }
    map.on("zoomend", function () { applyOffsets(); scheduleArrows(); });
    applyOffsets();
    places.addTo(map);  // under the flows, as a thick line must stay easy to hover
    update();
    window.geoflowsLayers = window.geoflowsLayers || [];
    window.geoflowsLayers.push({ flows: state.flows, arrows: state, update: update });
  }

  window.geoflowsDraw = draw;
})();
