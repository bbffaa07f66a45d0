// The conflict view shared by every form that saves with If-Match: when
// another editor saved first, each field where my unsaved value and theirs
// differ is shown side by side, to keep mine, take theirs, or mix per field.
// It cannot be dismissed without a choice, so nothing is lost by accident.

import { h, mount } from "./dom.js";

const key = (v) => JSON.stringify(v ?? null);

const shown = (v) => (typeof v === "boolean" ? (v ? "Yes" : "No") : String(v ?? ""));
let opened = 0;

/**
 * Resolves to the merged values: `theirs` with my choices on top. A field only
 * they changed is preset to theirs, any other differing field to mine.
 * `before` is shown above the choices (the article editor puts the server's
 * diff of their changes there).
 */
export function chooseMerge({ title, intro, before = null, labels, base, mine, theirs, show = shown }) {
  const contested = Object.keys(mine).filter((k) => key(mine[k]) !== key(theirs[k]));
  // Nothing of mine differs from theirs: nothing to choose.
  if (!contested.length) return Promise.resolve({ ...theirs });
  const dialogId = ++opened;
  const choices = {};
  const rows = contested.map((k, i) => {
    const onlyTheirs = key(base[k]) !== key(theirs[k]) && key(mine[k]) === key(base[k]);
    choices[k] = onlyTheirs ? "theirs" : "mine";
    const radio = (value, label) =>
      h("label", {}, h("input", { type: "radio", name: `merge-${dialogId}-${i}`, value, checked: choices[k] === value, onchange: () => (choices[k] = value) }), ` ${label}`);
    return h(
      "fieldset",
      { dataset: { field: k } },
      h("legend", {}, labels[k] || k),
      h(
        "div.pair",
        {},
        h("div", {}, h("h4", {}, "Mine"), h("pre.text", {}, show(mine[k]))),
        h("div", {}, h("h4", {}, onlyTheirs ? "Theirs (only they changed it)" : "Theirs"), h("pre.text", {}, show(theirs[k]))),
      ),
      radio("mine", "Keep mine"),
      radio("theirs", "Take theirs"),
    );
  });
  return new Promise((resolve) => {
    const dialog = h("dialog.conflict", { "aria-labelledby": "conflict-title" });
    let chosen = false;
    const finish = (pick) => {
      const merged = { ...theirs };
      for (const k of contested) merged[k] = (pick || choices[k]) === "mine" ? mine[k] : theirs[k];
      chosen = true;
      dialog.close();
      dialog.remove();
      resolve(merged);
    };
    mount(
      dialog,
      h("h2#conflict-title", { tabindex: -1 }, title),
      h("p", {}, intro),
      before,
      h("h3", {}, "Where yours and theirs differ"),
      rows,
      h(
        "div.actions",
        {},
        h("button.primary", { type: "button", onclick: () => finish() }, "Apply my choices"),
        h("button", { type: "button", onclick: () => finish("mine") }, "Keep all mine"),
        h("button", { type: "button", onclick: () => finish("theirs") }, "Take all theirs"),
      ),
    );
    document.body.append(dialog);
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    // A browser may close it anyway (Escape pressed twice): it comes back until a choice is made.
    dialog.addEventListener("close", () => {
      if (!chosen) dialog.showModal();
    });
    dialog.showModal();
    dialog.querySelector("h2").focus();
  });
}
