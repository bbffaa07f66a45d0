// Form controls for lists, each `{el, value}`: `value` is what the form
// holds (read and written by the editor), `el` what is shown.

import { h, mount } from "./dom.js";

/**
 * Options chosen and ordered: a checkbox each, moved by its ↑/↓ buttons
 * (keyboard) or by drag. `value` is the chosen slugs, in order.
 */
export function orderedChoice(label, options, changed) {
  const box = h("ul.chooser", { "aria-label": label });
  return {
    el: box,
    get value() {
      return [...box.querySelectorAll("input:checked")].map((c) => c.value);
    },
    set value(slugs) {
      const order = [...slugs, ...options.map((o) => o.slug).filter((s) => !slugs.includes(s))];
      mount(
        box,
        order.map((slug) => {
          const option = options.find((o) => o.slug === slug);
          if (!option) return null;
          const check = h("input", { type: "checkbox", value: slug, checked: slugs.includes(slug), onchange: changed });
          const move = (step) => () => {
            const item = check.closest("li");
            const other = step < 0 ? item.previousElementSibling : item.nextElementSibling;
            if (!other) return;
            if (step < 0) other.before(item);
            else other.after(item);
            item.querySelector(`button.${step < 0 ? "up" : "down"}`).focus();
            changed({ target: check });
          };
          const li = h(
            "li",
            { draggable: "true" },
            h("label", {}, check, ` ${option.name}`),
            h("button.up.icon", { type: "button", onclick: move(-1), "aria-label": `Move ${option.name} up` }, "↑"),
            h("button.down.icon", { type: "button", onclick: move(1), "aria-label": `Move ${option.name} down` }, "↓"),
          );
          li.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", slug));
          li.addEventListener("dragover", (e) => e.preventDefault());
          li.addEventListener("drop", (e) => {
            e.preventDefault();
            const dragged = box.querySelector(`input[value="${CSS.escape(e.dataTransfer.getData("text/plain"))}"]`)?.closest("li");
            if (dragged && dragged !== li) li.before(dragged);
            changed({ target: check });
          });
          return li;
        }),
      );
    },
  };
}

/**
 * A list written as text, taken only when the field is left (a half-typed
 * item names nothing yet): `parse(text, previous)` and `format(list)`.
 */
export function textList(name, parse, format, changed, multiline = false) {
  const control = {
    committed: [],
    el: h(multiline ? "textarea" : "input", {
      name,
      rows: multiline ? 4 : undefined,
      onchange: () => {
        control.committed = parse(control.el.value, control.committed);
        changed({ target: control.el });
      },
    }),
    get value() {
      return this.committed;
    },
    set value(list) {
      this.committed = list;
      this.el.value = format(list);
    },
  };
  return control;
}

/**
 * References, one a line: "title | URL | publisher"; what else a
 * reference holds (date, DOI, PMID) is kept for the URLs already there.
 */
export function referenceList(referenceOf, changed) {
  const parse = (text, previous) => {
    const known = new Map(previous.map((r) => [r.url, r]));
    return text
      .split("\n")
      .map((line) => line.split("|").map((part) => part.trim()))
      .filter(([title, url]) => title || url)
      .map(([title = "", url = "", publisher = ""]) => ({
        ...referenceOf({ ...known.get(url), title, url }),
        publisher: publisher || known.get(url)?.publisher || "",
      }));
  };
  const format = (list) => list.map((r) => [r.title, r.url, r.publisher].filter(Boolean).join(" | ")).join("\n");
  return textList("references", parse, format, changed, true);
}
