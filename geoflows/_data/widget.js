// geoflows FlowWidget (anywidget): the saved map page in a sandboxed frame, its state mirrored
// into the widget model and back. Messages are accepted only from our own frame, and only the
// fields below with the types below; nothing received is ever put into the page as markup.
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function strings(value) {
  return Array.isArray(value) ? value.filter((x) => typeof x === "string") : [];
}

function numbers(value) {
  return Array.isArray(value) && value.every((x) => typeof x === "number" && isFinite(x))
    ? value
    : null;
}

function render({ model, el }) {
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.setAttribute("title", "geoflows map");
  frame.className = "geoflows-widget-frame";
  el.classList.add("geoflows-widget");
  el.appendChild(frame);

  function load() {
    frame.style.height = `${model.get("height")}px`;
    frame.srcdoc = model.get("page");
  }

  function sendAt() {
    const at = model.get("at");
    if (frame.contentWindow && (at === null || DAY.test(at))) {
      frame.contentWindow.postMessage({ type: "geoflows:set", at: at }, "*");
    }
  }

  function onMessage(event) {
    if (event.source !== frame.contentWindow) return;
    const data = event.data;
    if (!data || typeof data !== "object") return;
    if (data.type === "geoflows:ready") {
      sendAt();
      return;
    }
    if (data.type !== "geoflows:state") return;
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

  window.addEventListener("message", onMessage);
  model.on("change:page", load);
  model.on("change:height", load);
  model.on("change:at", sendAt);
  load();
  return () => window.removeEventListener("message", onMessage);
}

export default { render };
