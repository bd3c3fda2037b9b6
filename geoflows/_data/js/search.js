/* geoflows place search: a Leaflet control with a text box that finds a place and zooms to it.
 *
 * gfSearch(map, places, onSelect, options) -> {control, input, find(query), select(index)}
 *   places:   [{name, also?, lat, lon, weight}]; entries without a name cannot be found. `also`
 *             lists other spellings of the place (as the data writes it: Владивосток, 나진):
 *             found like the name, and listed as "Владивосток (Vladivostok)".
 *   onSelect: called with the index (into `places`) of the chosen place, after the map moved.
 *   options:  {position: "topleft", zoom: 8, limit: 8, placeholder: "Find a place"}
 *
 * Matching ignores case, accents and punctuation; names that start with the query come first,
 * then names that contain it, each group heaviest first. Keyboard: Down/Up move through the
 * results, Enter picks (the first result if none is highlighted), Esc closes the list, then
 * clears the box. Results are built with textContent only, never as markup.
 */
function gfSearch(map, places, onSelect, options) {
  var opts = options || {};
  var limit = opts.limit || 8;
  var minZoom = opts.zoom === undefined ? 8 : opts.zoom;
  gfSearch.count = (gfSearch.count || 0) + 1;  // ids unique on a page with several maps
  var listId = "gf-search-list-" + gfSearch.count;

  function fold(text) {
    var s = String(text);
    if (s.normalize) s = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    return s.toLowerCase().replace(/[\s\-\u2010-\u2015_.,/'\u2019()]+/g, " ").trim();
  }

  function finite(v) { return v !== null && v !== undefined && v !== "" && isFinite(v); }
  var entries = [];
  for (var i = 0; i < places.length; i++) {
    var p = places[i];
    if (!p || p.name === null || p.name === undefined) continue;
    var key = fold(p.name);
    if (key === "" || !finite(p.lat) || !finite(p.lon)) continue;
    entries.push({ index: i, key: key, name: String(p.name), weight: +p.weight || 0 });
    var also = p.also || [];
    for (var a = 0; a < also.length; a++) {
      var alt = fold(also[a]);
      if (alt === "" || alt === key) continue;
      entries.push({ index: i, key: alt, name: String(also[a]) + " (" + String(p.name) + ")",
        weight: +p.weight || 0 });
    }
  }
  var shownAs = {};  // index -> the text its result shows (the spelling that matched)

  function find(query) {
    var q = fold(query);
    if (q === "") return [];
    var starts = [], contains = [];
    for (var k = 0; k < entries.length; k++) {
      var at = entries[k].key.indexOf(q);
      if (at === 0) starts.push(entries[k]);
      else if (at > 0) contains.push(entries[k]);
    }
    function byWeight(a, b) {
      return (b.weight - a.weight) || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index);
    }
    starts.sort(byWeight);
    contains.sort(byWeight);
    var out = [], taken = {};
    var all = starts.concat(contains);
    shownAs = {};
    for (var j = 0; j < all.length && out.length < limit; j++) {
      if (taken[all[j].index]) continue;  // a place found by two spellings is listed once
      taken[all[j].index] = true;
      shownAs[all[j].index] = all[j].name;
      out.push(all[j].index);
    }
    return out;
  }

  var container = L.DomUtil.create("div", "gf-search leaflet-bar");
  var input = L.DomUtil.create("input", "gf-search-input", container);
  input.type = "search";
  input.placeholder = opts.placeholder || "Find a place";
  input.setAttribute("aria-label", "Find a place on the map");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("autocomplete", "off");
  input.setAttribute("spellcheck", "false");
  var list = L.DomUtil.create("ul", "gf-search-results", container);
  // Read out by screen readers as the results change ("3 places found").
  var status = L.DomUtil.create("span", "gf-search-status", container);
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  list.id = listId;
  list.setAttribute("role", "listbox");
  list.hidden = true;
  L.DomEvent.disableClickPropagation(container);
  L.DomEvent.disableScrollPropagation(container);

  var results = [], active = -1;

  function render() {
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var k = 0; k < results.length; k++) {
      var li = document.createElement("li");
      li.className = "gf-search-result";
      li.id = listId + "-" + k;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", k === active ? "true" : "false");
      li.setAttribute("dir", "auto");
      li.textContent = shownAs[results[k]] || String(places[results[k]].name);
      li.setAttribute("data-index", String(results[k]));
      list.appendChild(li);
    }
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", listId + "-" + active);
    else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    results = []; active = -1;
    status.textContent = "";
    render();
  }

  function select(index) {
    var place = places[index];
    input.value = String(place.name);
    close();
    // The copy of the place nearest the view (no jump round the world on maps across 180°).
    var lon = +place.lon + 360 * Math.round((map.getCenter().lng - place.lon) / 360);
    map.setView([+place.lat, lon], Math.max(map.getZoom(), minZoom));
    if (onSelect) onSelect(index);
  }

  L.DomEvent.on(input, "input", function () {
    results = find(input.value);
    active = -1;
    render();
    status.textContent = fold(input.value) === "" ? "" : results.length === 1 ? "1 place found" :
      (results.length || "No") + " places found";
  });
  L.DomEvent.on(input, "keydown", function (e) {
    var key = e.key;
    if (key === "ArrowDown" || key === "Down") {
      if (!results.length) results = find(input.value);
      if (results.length) active = (active + 1) % results.length;
      render();
    } else if (key === "ArrowUp" || key === "Up") {
      if (results.length) active = active <= 0 ? results.length - 1 : active - 1;
      render();
    } else if (key === "Enter") {
      var pick = results.length ? results[Math.max(active, 0)] : find(input.value)[0];
      if (pick !== undefined) select(pick);
    } else if (key === "Escape" || key === "Esc") {
      if (results.length) close();
      else input.value = "";
    } else {
      return;  // typing: the input event above handles it
    }
    L.DomEvent.preventDefault(e);
    L.DomEvent.stopPropagation(e);
  });
  // mousedown, not click: the pick happens before the input loses focus.
  L.DomEvent.on(list, "mousedown", function (e) {
    var target = e.target;
    while (target && target !== list && !target.getAttribute("data-index")) {
      target = target.parentNode;
    }
    if (!target || target === list) return;
    L.DomEvent.preventDefault(e);
    select(Number(target.getAttribute("data-index")));
  });
  L.DomEvent.on(input, "blur", function () { close(); });

  var control = L.control({ position: opts.position || "topleft" });
  control.onAdd = function () { return container; };
  control.addTo(map);
  return { control: control, input: input, find: find, select: select };
}
