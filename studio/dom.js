// A small hand-written view layer: elements from plain calls, no HTML
// strings from data (text is always set as text), one live region for news.

/** h("button.primary", {onclick}, "Save"), h("h2#title") → an element. */
export function h(tag, props = {}, ...children) {
  const [named, ...classes] = tag.split(".");
  const [name, id] = named.split("#");
  const el = document.createElement(name || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A labelled control: label, the control, an optional hint (aria-describedby). */
export function field(label, control, hint) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const parts = [h("label", { for: id }, label), control];
  if (hint) {
    const hintEl = hint instanceof Node ? hint : h("small.hint", {}, hint);
    hintEl.id = `${id}-hint`;
    control.setAttribute("aria-describedby", hintEl.id);
    parts.push(hintEl);
  }
  return h("div.field", {}, parts);
}

/** Tells assistive technology (and the eye) what just happened. */
export function announce(message, kind = "info") {
  const region = document.getElementById("news");
  if (!region) return;
  region.dataset.kind = kind;
  region.textContent = message;
}

export function debounce(fn, ms) {
  let timer;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.flush = (...args) => {
    clearTimeout(timer);
    return fn(...args);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The slug the server would make of a title (shown as the default). */
export function slugOf(text) {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120);
}
