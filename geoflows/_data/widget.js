// geoflows FlowWidget (anywidget): the saved map page in a sandboxed frame, its state mirrored
// into the widget model and back. Messages are accepted only from our own document: the frame's
// window, an opaque origin (a srcdoc frame without allow-same-origin), and a token made here at
// each render and written into the frame's page, so a page the frame was navigated to (which
// keeps the same window) cannot set the model. Only the fields below with the types below are
// read; nothing received is ever put into the page as markup. The token is never in the saved
// HTML (the model's page holds a placeholder), so pages stay byte-identical.
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PLACEHOLDER = "{geoflows-widget-token}";
// Scripts, and links opening in a new tab (the opened page escapes the sandbox, and being
// opened with noopener it cannot reach back); never allow-same-origin.
const SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox";

function strings(value) {
  return Array.isArray(value) ? value.filter((x) => typeof x === "string") : [];
}

function numbers(value) {
  return Array.isArray(value) && value.every((x) => typeof x === "number" && isFinite(x))
    ? value
    : null;
}

function newToken() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function withToken(page, token) {
  // only the bridge holds the placeholder: data text reaches the page as JSON whose braces are
  // written \u007b...\u007d (and as &#123; in the title), so it cannot plant one
  const at = page.indexOf(PLACEHOLDER);
  return at < 0 ? page : page.slice(0, at) + token + page.slice(at + PLACEHOLDER.length);
}

function applyState(model, data) {
  model.set("selected_ids", strings(data.selected));
  model.set("visible_ids", strings(data.visible));
  const win = strings(data.window);
  model.set("time_window", win.length === 2 && win.every((d) => DAY.test(d)) ? win : []);
  const at = typeof data.at === "string" && DAY.test(data.at) ? data.at : null;
  if (at !== model.get("at")) model.set("at", at);
  const bounds = numbers(data.bounds);
  if (bounds && bounds.length === 4) model.set("bounds", bounds);
  model.save_changes();
}

function render({ model, el }) {
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", SANDBOX);
  frame.setAttribute("title", "geoflows map");
  frame.className = "geoflows-widget-frame";
  el.classList.add("geoflows-widget");
  el.appendChild(frame);
  // token: of the page loaded now; loading: a srcdoc was set and its load is awaited; away:
  // the frame loaded something else since (a link followed in the frame), so it is not ours
  let token = "", loading = false, away = false;

  function load() {
    frame.style.height = `${model.get("height")}px`;
    token = newToken();
    loading = true;
    away = false;
    frame.srcdoc = withToken(model.get("page"), token);
  }

  frame.addEventListener("load", () => {
    if (loading) loading = false;
    else away = true;
  });

  function sendAt() {
    const at = model.get("at");
    if (!away && frame.contentWindow && (at === null || DAY.test(at))) {
      frame.contentWindow.postMessage({ type: "geoflows:set", at: at }, "*");
    }
  }

  function onMessage(event) {
    if (event.source !== frame.contentWindow || event.origin !== "null" || away) return;
    const data = event.data;
    if (!data || typeof data !== "object" || data.token !== token || !token) return;
    if (data.type === "geoflows:ready") sendAt();
    else if (data.type === "geoflows:state") applyState(model, data);
  }

  window.addEventListener("message", onMessage);
  model.on("change:page", load);
  model.on("change:height", load);
  model.on("change:at", sendAt);
  load();
  return () => window.removeEventListener("message", onMessage);
}

export default { render };
