// Revisions: the list, the server's diff of any two, and restoring one.

import * as api from "./api.js";
import { h, mount, field, formatDate } from "./dom.js";

/** The changed fields of a server diff: deleted and inserted spans marked. */
export function diffView(fields, labels = {}) {
  if (!fields.length) return h("p.muted", {}, "No field differs.");
  return h(
    "div.diff",
    {},
    fields.map((f) =>
      h(
        "section",
        { "aria-label": labels[f.field] || f.field },
        h("h4", {}, labels[f.field] || f.field),
        h(
          "pre.text",
          {},
          f.changes.map((span) =>
            span.op === "equal" ? span.text : h(span.op === "insert" ? "ins" : "del", {}, span.text),
          ),
        ),
      ),
    ),
  );
}

export async function showRevisions(id, currentEtag, onRestored) {
  const { data: revisions } = await api.get(`/admin/articles/${id}/revisions`);
  const dialog = h("dialog.revisions", { "aria-labelledby": "revisions-title" });
  const option = (r) => h("option", { value: r.version }, `v${r.version} · ${formatDate(r.created_at)} · ${r.created_by_name || "someone"}`);
  const from = h("select", { name: "from" }, revisions.map(option));
  const to = h("select", { name: "to" }, revisions.map(option));
  if (revisions.length > 1) from.value = String(revisions[1].version);
  const out = h("div.diff-out", { "aria-live": "polite" });
  const compare = async () => {
    try {
      const { data } = await api.get(`/admin/articles/${id}/revisions/diff?from=${from.value}&to=${to.value}`);
      mount(out, h("p", {}, `From version ${data.from} to ${data.to}:`), diffView(data.fields));
    } catch (err) {
      mount(out, h("p.error", { role: "alert" }, `Could not compare: ${err.message}`));
    }
  };
  const restore = async () => {
    const version = from.value;
    try {
      const { data, etag } = await api.post(`/admin/articles/${id}/revisions/${version}/restore`, undefined, { etag: currentEtag() });
      close();
      onRestored(data, etag);
    } catch (err) {
      mount(out, h("p.error", { role: "alert" }, err.status === 412 ? "The article changed meanwhile; open revisions again." : err.message));
    }
  };
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  mount(
    dialog,
    h("h2#revisions-title", {}, "Revisions"),
    h("div.filters", {}, field("From", from), field("To", to), h("button", { type: "button", onclick: compare }, "Compare")),
    out,
    h(
      "div.actions",
      {},
      h("button.primary", { type: "button", onclick: restore }, "Restore the “From” version"),
      h("button", { type: "button", onclick: close }, "Close"),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  from.focus();
  if (revisions.length > 1) compare();
}
