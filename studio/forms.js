// Forms built from a list of fields, for the collections and site settings.
// Adding posts every value; editing sends only what differs from the item as
// it was loaded, with If-Match, and when another editor saved first (412)
// shows both versions field by field (merge.js) and sends the merge.
//
// A field is [name, label, kind, required]; kind: text, textarea, markdown,
// lines (one value a line), checkbox, password, number, select:a|b.

import * as api from "./api.js";
import { h, field } from "./dom.js";
import { chooseMerge } from "./merge.js";

const md = (v) => (v && typeof v === "object" ? v.markdown : v ?? "");

/** A value as its control shows it (what is compared, merged and shown). */
function shown([, , kind], value) {
  if (kind === "checkbox") return Boolean(value);
  if (kind === "markdown") return md(value);
  if (kind === "lines") return Array.isArray(value) ? value.join("\n") : value ?? "";
  if (kind === "password") return "";
  return value === null || value === undefined ? "" : String(value);
}

function control(f, value) {
  const [name, , kind, required] = f;
  if (kind === "checkbox") return h("input", { type: "checkbox", name, checked: shown(f, value) });
  if (kind.startsWith("select:")) return h("select", { name }, kind.slice(7).split("|").map((o) => h("option", { value: o, selected: shown(f, value) === o }, o)));
  if (kind === "textarea" || kind === "markdown" || kind === "lines") {
    const el = h("textarea", { name, rows: kind === "textarea" ? 3 : 5, required: Boolean(required) });
    el.value = shown(f, value);
    return el;
  }
  const type = kind === "password" ? "password" : kind === "number" ? "number" : "text";
  return h("input", { name, type, value: shown(f, value), required: Boolean(required), autocomplete: kind === "password" ? "new-password" : "off" });
}

const read = ([, , kind], el) => (kind === "checkbox" ? el.checked : el.value);
const write = ([, , kind], el, value) => (kind === "checkbox" ? (el.checked = value) : (el.value = value));

/** What the API takes for a shown value. */
function sent([name, , kind], value) {
  if (kind === "markdown" && name === "answer") return { markdown: value };
  if (kind === "lines") return value.split("\n").map((s) => s.trim()).filter(Boolean);
  if (kind === "number" || (kind.startsWith("select:") && /^\d+$/.test(value))) return Number(value);
  if (name === "article" && value === "") return null;
  return value;
}

/**
 * `target`: null to add, or {item, etag, url} to edit (kept up to date after
 * a merge). `value(item, name)` reads a field of an item; `submit(body, etag)`
 * writes. Resolves nothing: errors are shown in the form.
 */
export function editForm({ fields, target = null, value = (item, name) => item?.[name], submit, submitLabel, labels = {} }) {
  const controls = fields.map((f) => [f, control(f, value(target?.item, f[0]))]);
  const error = h("p.error", { role: "alert" });
  const values = (item) => Object.fromEntries(fields.filter((f) => f[2] !== "password").map((f) => [f[0], shown(f, value(item, f[0]))]));
  const mine = () => Object.fromEntries(controls.filter(([f]) => f[2] !== "password").map(([f, el]) => [f[0], read(f, el)]));

  async function send() {
    const body = {};
    const before = target ? values(target.item) : {};
    for (const [f, el] of controls) {
      const now = read(f, el);
      if (f[2] === "password" ? now === "" : target && before[f[0]] === now) continue;
      body[f[0]] = sent(f, now);
    }
    try {
      await submit(body, target?.etag);
    } catch (err) {
      if (err.status === 412 && target) return merge().catch(showError);
      showError(err);
    }
  }
  const showError = (err) => {
    error.textContent = [err.message, ...(err.problem?.errors || []).map((x) => `${x.field}: ${x.message}`)].join(" — ");
  };

  // Another editor saved first: choose per field, then send the merge against their version.
  async function merge() {
    const { data: theirs, etag } = await api.get(target.url);
    const merged = await chooseMerge({
      title: "Someone else saved this first",
      intro: "Another editor saved after you opened this. Choose what to keep; nothing is sent until you do.",
      labels: Object.fromEntries(fields.map(([name, label]) => [name, labels[name] || label])),
      base: values(target.item),
      mine: mine(),
      theirs: values(theirs),
    });
    target.item = theirs;
    target.etag = etag;
    for (const [f, el] of controls) if (f[0] in merged) write(f, el, merged[f[0]]);
    await send();
  }

  return h(
    "form.card",
    {
      onsubmit: (e) => {
        e.preventDefault();
        error.textContent = "";
        send();
      },
    },
    controls.map(([f, el]) => (f[2] === "checkbox" ? h("label.check", {}, el, ` ${f[1]}`) : field(f[1], el))),
    error,
    h("button.primary", { type: "submit" }, submitLabel),
  );
}
