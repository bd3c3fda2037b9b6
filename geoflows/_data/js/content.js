/* content.js: tooltip and popup content, built on demand from the payload's columns. */
function Content(P) {
  var fieldAt = {};
  for (var f = 0; f < P.fields.length; f++) fieldAt[P.fields[f][0]] = P.fields[f][1];
  function field(name, i) { return cell(fieldAt[name], i); }
  var names = placeNames(P);
  function placeName(p) { return names[p]; }
  // What the gazetteer adds about a place: the nearest named place of a coordinate-only
  // place ("near Rajin (KP), 1 km"), or the old name a renamed place was found by.
  function placeNote(p) {
    var near = cell(P.places.near, p), former = cell(P.places.former, p);
    return near ? "near " + near : (former ? "formerly " + former : "");
  }
  function placeText(i, end) {
    var p = end === 0 ? P.o[i] : P.d[i], given = cell(P.given[end], i);
    var country = cell(P.places.country, p), name = placeName(p), note = placeNote(p);
    var text = !given ? (country ? name + " (" + country + ")" : name)
      : given + (country ? " (" + name + ", " + country + ")" : " (" + name + ")");
    // "Artemivsk (Bakhmut, UA)" already says what "formerly Artemivsk" would
    return note && note !== "formerly " + given ? text + " — " + note : text;
  }
  function label(i) {
    return cell(P.label, i) || placeName(P.o[i]) + " → " + placeName(P.d[i]);
  }
  function volume(i) { return volumeText(P.vol[i], P.low[i], P.high[i], P.units[P.unit[i]]); }
  function dates(i) {
    // a month or a year stays one ("Sep 2022"), as the source gave it
    var a = P.t0[i] === null ? "" : periodText(P.t0[i], P.p0 ? P.p0[i] : 0);
    var b = P.t1[i] === null ? "" : periodText(P.t1[i], P.p1 ? P.p1[i] : 0);
    return [a, b];
  }
  var computed = {
    origin: function (i) { return placeText(i, 0); },
    destination: function (i) { return placeText(i, 1); },
    volume: volume,
    start: function (i) { return dates(i)[0]; },
    end: function (i) { return dates(i)[1]; },
    length: function (i) { return P.length[i] >= 0 ? P.length[i].toLocaleString("en-US") + " km" : ""; }
  };

  // The claims about flow i's movement that are shown now (just [i] when it stands alone).
  function claimsOf(i, state) {
    if (P.claim[i] < 0 || !state) return [i];
    var out = [], members = P.claims[P.claim[i]];
    for (var k = 0; k < members.length; k++) if (state.visible[members[k]]) out.push(members[k]);
    return out.length ? out : [i];
  }

  // "1,000–13,000 containers (4 claims)": lowest to highest claim; an open bound stays open
  // ("more than 200 – 2,400 rail cars"), as render/_encode.py claim_range_text writes it.
  function claimRange(list) {
    var claims = [];
    for (var k = 0; k < list.length; k++) {
      var j = list[k];
      claims.push([P.vol[j], P.low[j], P.high[j]]);
    }
    var u = P.units[P.unit[list[0]]], tail = " (" + list.length + " claims)";
    return spreadText(claims, u) + tail;
  }

  // "Origin: Anzali port (Source A, Source B) · Nowshahr (Source C)": which sources name which
  // place, when the claims shown name more than one for this end (0 origin, 1 destination);
  // null when they agree. render/_encode.py claim_place_texts writes the same.
  function claimPlaces(list, end) {
    var order = [], srcs = {}, k, q;
    for (k = 0; k < list.length; k++) {
      var j = list[k], p = end === 0 ? P.o[j] : P.d[j], s = cell(P.sources, j);
      if (!(p in srcs)) { srcs[p] = []; order.push(p); }
      for (q = 0; q < s.length; q++) if (srcs[p].indexOf(s[q]) < 0) srcs[p].push(s[q]);
    }
    if (order.length < 2) return null;
    // data in the odd slots of the line: names and sources
    var parts = [];
    for (k = 0; k < order.length; k++) {
      var before = k === 0 ? (end === 0 ? "Origin: " : "Destination: ")
        : (srcs[order[k - 1]].length ? ") · " : " · ");
      parts.push(before, placeName(order[k]));
      for (q = 0; q < srcs[order[k]].length; q++) parts.push(q ? ", " : " (", srcs[order[k]][q]);
    }
    if (srcs[order[order.length - 1]].length) parts.push(")");
    return line("gf-popup-sub gf-claim-places", parts);
  }

  function tooltip(i, state) {
    var box = el("div", "gf-tip"), list = claimsOf(i, state);
    box.appendChild(line("gf-tip-title", ["", label(i)]));
    box.appendChild(line("gf-tip-line", ["", list.length > 1 ? claimRange(list) : volume(i)]));
    var d = dates(i), when = d[0] && d[1] && d[0] !== d[1] ? d[0] + " – " + d[1] : (d[0] || d[1]);
    if (when) box.appendChild(el("div", "gf-tip-line", when));
    var meta = [field("kind", i), field("category", i), field("mode", i), field("confidence", i)];
    var parts = [""];
    for (var k = 0; k < meta.length; k++) {
      if (!meta[k]) continue;
      if (parts.length > 1) parts.push(" · ");
      parts.push(meta[k]);
    }
    // parts alternates plain text and data text: keep data in the odd slots
    var row = el("div", "gf-tip-line");
    for (k = 1; k < parts.length; k++) {
      row.appendChild(k % 2 ? bdi(parts[k]) : document.createTextNode(parts[k]));
    }
    box.appendChild(row);
    return box;
  }

  function sources(i) {
    var srcs = cell(P.sources, i), ol = el("ol", "gf-sources");
    for (var s = 0; s < srcs.length; s++) {
      var li = el("li"), href = safeUrl(srcs[s]);
      if (href) {
        var a = el("a", null, srcs[s]);
        a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.appendChild(bdi(srcs[s]));
      }
      ol.appendChild(li);
    }
    return srcs.length ? ol : null;
  }

  function claimList(list) {
    var ol = el("ol", "gf-claims");
    for (var k = 0; k < list.length; k++) {
      var j = list[k], d = dates(j), li = el("li", "gf-claim");
      var when = d[0] && d[1] && d[0] !== d[1] ? d[0] + " – " + d[1] : (d[0] || d[1]);
      li.appendChild(line("gf-claim-head", ["", volume(j), when ? ", " : "", when, " · ", field("confidence", j) || "unknown"]));
      var src = sources(j);
      if (src) li.appendChild(src);
      ol.appendChild(li);
    }
    return ol;
  }

  function popup(i, state) {
    var box = el("div", "gf-popup"), list = claimsOf(i, state);
    box.appendChild(line("gf-popup-title", ["", label(i)]));
    if (list.length > 1) {
      box.appendChild(line("gf-popup-sub", ["Claims: ", claimRange(list)]));
      for (var end = 0; end < 2; end++) {
        var named = claimPlaces(list, end);
        if (named) box.appendChild(named);
      }
      box.appendChild(claimList(list));
      box.appendChild(el("div", "gf-popup-sub", "Drawn claim"));
    }
    var table = el("table", "gf-fields");
    for (var f = 0; f < P.fields.length; f++) {
      var name = P.fields[f][0];
      var value = P.fields[f][1] === null ? computed[name](i) : cell(P.fields[f][1], i);
      if (value === null || value === "") continue;
      var tr = el("tr");
      tr.appendChild(el("th", null, name));
      var td = el("td");
      td.appendChild(bdi(value));
      tr.appendChild(td);
      table.appendChild(tr);
    }
    box.appendChild(table);
    var ol = sources(i);
    if (ol) { box.appendChild(el("div", "gf-popup-sub", "Sources")); box.appendChild(ol); }
    return box;
  }

  // Totals per unit of the flows shown now, e.g. "out: 2,000 containers", as bounds: an "up to"
  // or "more than" record counts by its bound ("300–700 drones", "more than 2,300 drones"), and
  // a merged movement counts once, by the spread of its claims shown now.
  // One claim's bounds [low, its word, high, its word]: an "up to" claim gives no lower bound of
  // its own, a "more than" claim no upper one.
  function bounds(j) {
    var v = P.vol[j], a = P.low[j], b = P.high[j];
    if (a >= 0 && b >= 0) return [a, "", b, ""];
    if (v >= 0) return [v, "", v, ""];
    if (a >= 0) return [a, "more", a, "more"];
    return b >= 0 ? [b, "upto", b, "upto"] : null;
  }
  // A movement's bounds [low, high, open above] at place p (its end 0 or 1), its claims shown
  // now that name p taken as the popup's spread (spreadText): the lowest bound given to the
  // highest, an exact one winning a tie.
  function movementBounds(i, state, p, end) {
    var list = claimsOf(i, state), out = null, at = end === 0 ? P.o : P.d;
    for (var k = 0; k < list.length; k++) {
      if (at[list[k]] !== p) continue;
      var c = bounds(list[k]);
      if (!c) continue;
      if (!out) { out = c.slice(); continue; }
      if (c[0] < out[0] || (c[0] === out[0] && !c[1])) { out[0] = c[0]; out[1] = c[1]; }
      if (c[2] > out[2] || (c[2] === out[2] && !c[3])) { out[2] = c[2]; out[3] = c[3]; }
    }
    return out ? [out[1] === "upto" ? 0 : out[0], out[2], out[3] === "more"] : null;
  }
  function totalText(s, u) {
    var unit = u ? " " + u : "";
    if (s.open) return "more than " + num(s.lo) + (s.hi > s.lo ? " – " + num(s.hi) : "") + unit;
    if (s.lo === s.hi) return num(s.lo) + unit;
    return (s.lo === 0 ? "up to " + num(s.hi) : num(s.lo) + "–" + num(s.hi)) + unit;
  }
  // A movement counts once at each place it names, by the claims that name the place: a
  // group whose sources name two ports is "claimed" at each, and counts once where they agree.
  function totals(list, state, p, end) {
    var sum = {}, order = [], seen = {};
    for (var k = 0; k < list.length; k++) {
      var i = list[k], g = P.claim[i];
      if (g >= 0 ? seen[g] || !state.visible[i] : !state.drawn[i]) continue;
      if (g >= 0) seen[g] = true;
      var u = P.units[P.unit[i]], b = movementBounds(i, state, p, end);
      if (!(u in sum)) { sum[u] = { lo: 0, hi: 0, open: false, flows: 0, known: 0 }; order.push(u); }
      sum[u].flows++;
      if (b) { sum[u].lo += b[0]; sum[u].hi += b[1]; sum[u].open = sum[u].open || b[2]; sum[u].known++; }
    }
    return order.map(function (u) {
      var s = sum[u];
      return s.known ? totalText(s, u) : s.flows + (s.flows === 1 ? " flow" : " flows") + (u ? " (" + u + ")" : "");
    });
  }

  function placeTooltip(p, state) {
    var box = el("div", "gf-tip");
    var parts = ["", placeName(p)];
    var outT = totals(state.out[p], state, p, 0), inT = totals(state["in"][p], state, p, 1);
    if (outT.length) parts.push(" — out: ", outT.join(", "));
    if (inT.length) parts.push(outT.length ? "; in: " : " — in: ", inT.join(", "));
    box.appendChild(line("gf-tip-title", parts));
    if (placeNote(p)) box.appendChild(el("div", "gf-tip-line", placeNote(p)));
    return box;
  }

  function placePopup(p, state) {
    var box = el("div", "gf-popup");
    box.appendChild(line("gf-popup-title", ["", placeName(p)]));
    if (placeNote(p)) box.appendChild(el("div", "gf-popup-note", placeNote(p)));
    var lists = [["Outgoing", state.out[p]], ["Incoming", state["in"][p]]];
    for (var k = 0; k < lists.length; k++) {
      if (!lists[k][1].length) continue;
      box.appendChild(el("div", "gf-popup-sub", lists[k][0] + " (" + lists[k][1].length + ")"));
      var ul = el("ul", "gf-place-flows");
      for (var q = 0; q < lists[k][1].length && q < 200; q++) {
        var f = lists[k][1][q];
        var li = el("li");
        li.appendChild(line("gf-place-flow", ["", label(f), " — ", volume(f)]));
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
    return box;
  }

  return { tooltip: tooltip, popup: popup, placeTooltip: placeTooltip, placePopup: placePopup, label: label };
}
