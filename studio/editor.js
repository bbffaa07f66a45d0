// The article editor: fields, server preview, autosave with If-Match,
// unsaved text kept on this device until the server has it, a conflict view
// when another editor saved first, review and publication, revisions.

import * as api from "./api.js";
import { h, mount, field, announce, debounce, formatDate, slugOf } from "./dom.js";
import { showRevisions, diffView } from "./revisions.js";
import { pickImage, showPrivateImages, imageSrc } from "./media.js";
import { faqPanel } from "./faqs.js";
import { orderedChoice, textList, referenceList } from "./controls.js";
import { chooseMerge } from "./merge.js";
import { keep, kept as keptCopy, forget } from "./kept.js";

const SAVE_DELAY_MS = 1200;
const PREVIEW_DELAY_MS = 500;
const TEXT_FIELDS = ["title", "slug", "excerpt", "body", "seo_title", "seo_description"];
const LIST_FIELDS = ["tags", "massage_types", "treatments", "authors", "related", "references"];
const LABELS = {
  title: "Title",
  slug: "Slug",
  excerpt: "Excerpt",
  body: "Body",
  seo_title: "SEO title",
  seo_description: "SEO description",
  tags: "Tags",
  massage_types: "Massage types",
  treatments: "Treatments",
  cover: "Cover image",
  authors: "Authors",
  related: "Related articles",
  references: "References",
};

/** A reference as the server takes it back (`ReferenceInput`). */
const referenceOf = (r) => ({ title: r.title, url: r.url, publisher: r.publisher || "", published: r.published ?? null, doi: r.doi ?? null, pmid: r.pmid ?? null });

/** The editable fields of an admin article, as the form holds them. */
function fieldsOf(article) {
  return {
    title: article.title,
    slug: article.slug,
    excerpt: article.excerpt,
    body: article.body.markdown,
    // The server answers the effective SEO text (the title and excerpt by
    // default); only an override is the editor's to change.
    seo_title: article.seo?.title && article.seo.title !== article.title ? article.seo.title : "",
    seo_description: article.seo?.description && article.seo.description !== article.excerpt ? article.seo.description : "",
    tags: article.tags.map((t) => t.slug),
    massage_types: article.massage_types.map((m) => m.slug),
    treatments: article.treatments.map((t) => t.slug),
    cover: article.cover?.id ?? null,
    authors: article.authors.map((a) => a.slug),
    related: article.related.map((r) => r.slug),
    references: article.references.map(referenceOf),
  };
}

/** The PATCH body that takes `from` to `to` (only what differs). */
function patchOf(from, to) {
  const body = {};
  for (const key of TEXT_FIELDS) {
    if (from[key] === to[key]) continue;
    if (key === "body") body.body = { markdown: to.body };
    else if (key === "seo_title" || key === "seo_description") {
      body.seo = body.seo || {};
      body.seo[key.slice(4)] = to[key] || null;
    } else body[key] = to[key];
  }
  for (const key of LIST_FIELDS) if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) body[key] = to[key];
  if (from.cover !== to.cover) body.cover = to.cover;
  return body;
}

const same = (a, b) => Object.keys(patchOf(a, b)).length === 0;
export async function openEditor(main, id) {
  const [{ data: article, etag }, types, treatments, people] = await Promise.all([
    api.get(`/admin/articles/${id}`),
    api.get("/admin/massage-types?per_page=100"),
    api.get("/admin/treatments?per_page=100"),
    api.get("/admin/people?per_page=100"),
  ]);
  const state = {
    article,
    etag,
    base: fieldsOf(article),
    saving: null,
    conflict: false,
  };
  const status = h("span.save-state", { role: "status", "aria-live": "polite" }, "All changes saved");
  const form = h("div.editor-form");
  const controls = {};

  const input = (name, props = {}) => {
    const el = h(props.multiline ? "textarea" : "input", { name, ...props, multiline: undefined });
    el.value = state.base[name];
    el.addEventListener("input", changed);
    controls[name] = el;
    return el;
  };

  // Lists: chosen and ordered from options, or written as text and taken when the field is left.
  const chooser = (name, options) => {
    controls[name] = orderedChoice(LABELS[name], options, changed);
    controls[name].value = state.base[name];
    return controls[name].el;
  };
  const tags = (controls.tags = textList("tags", (text) => text.split(",").map((s) => slugOf(s)).filter(Boolean), (list) => list.join(", "), changed));
  const related = (controls.related = textList("related", (text) => text.split(",").map((s) => s.trim()).filter(Boolean), (list) => list.join(", "), changed));
  const references = (controls.references = referenceList(referenceOf, changed));
  for (const name of ["tags", "related", "references"]) controls[name].value = state.base[name];

  // The cover: chosen from the media library, shown through the editor's token.
  const coverBox = h("div.cover");
  const cover = {
    id: null,
    get value() {
      return this.id;
    },
    set value(id) {
      this.id = id;
      const img = h("img", { alt: "", width: 160 });
      mount(
        coverBox,
        id ? img : h("span.muted", {}, "No cover image."),
        h("button", { type: "button", onclick: chooseCover }, id ? "Change cover" : "Choose cover"),
        id ? h("button", { type: "button", onclick: () => { cover.value = null; changed(); } }, "Remove cover") : null,
      );
      if (id) {
        api
          .get(`/admin/media/${id}`)
          .then(({ data }) => imageSrc(data.image?.src || data.url))
          .then((src) => (img.src = src))
          .catch(() => {});
      }
    },
  };
  async function chooseCover() {
    const item = await pickImage("Choose the cover image");
    if (item) {
      cover.value = item.id;
      changed();
    }
  }
  controls.cover = cover;
  cover.value = state.base.cover;

  const read = () => Object.fromEntries(Object.keys(state.base).map((k) => [k, controls[k].value]));
  const write = (fields) => {
    for (const [k, v] of Object.entries(fields)) controls[k].value = v;
    refreshHints();
    preview();
  };

  // Markdown with its toolbar, and the server's own rendering beside it.
  const body = input("body", { multiline: true, rows: 24, spellcheck: true });
  const rendered = h("div.rendered", { "aria-live": "off" });
  const wrap = (before, after = before, placeholder = "text") => () => {
    const { selectionStart: s, selectionEnd: e, value } = body;
    const chosen = value.slice(s, e) || placeholder;
    body.setRangeText(`${before}${chosen}${after}`, s, e, "select");
    body.focus();
    changed();
  };
  const linePrefix = (prefix) => () => {
    const s = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    body.setRangeText(prefix, s, s, "end");
    body.focus();
    changed();
  };
  const toolbar = h(
    "div.toolbar",
    { role: "group", "aria-label": "Formatting" },
    h("button", { type: "button", onclick: wrap("**") }, h("b", {}, "Bold")),
    h("button", { type: "button", onclick: wrap("_") }, h("i", {}, "Italic")),
    h("button", { type: "button", onclick: linePrefix("## ") }, "Heading"),
    h("button", { type: "button", onclick: linePrefix("1. ") }, "Numbered list"),
    h("button", { type: "button", onclick: linePrefix("- ") }, "Bulleted list"),
    h("button", { type: "button", onclick: wrap("[", "](https://)", "link text") }, "Link"),
    h("button", { type: "button", onclick: insertImage }, "Image"),
    h("button", { type: "button", onclick: () => insertLine("{{massage-types}}"), title: "Embeds the massage types chosen, in their order" }, "Massage types table"),
    h("button", { type: "button", onclick: () => insertLine("{{treatments}}"), title: "Embeds the treatments chosen, in their order" }, "Treatments table"),
  );
  async function insertImage() {
    const at = [body.selectionStart, body.selectionEnd];
    const item = await pickImage("Insert an image");
    body.focus();
    if (!item) return;
    const alt = (item.decorative ? "" : item.alt || "").replace(/[\[\]]/g, "");
    body.setRangeText(`![${alt}](media:${item.id})`, at[0], at[1], "end");
    changed();
  }
  function insertLine(text) {
    body.setRangeText(`\n${text}\n`, body.selectionStart, body.selectionEnd, "end");
    body.focus();
    changed();
  }

  let previewAbort = null;
  const preview = debounce(async () => {
    previewAbort?.abort();
    previewAbort = new AbortController();
    const fields = read();
    try {
      const { data } = await api.request("POST", "/admin/render", {
        body: { markdown: fields.body, massage_types: fields.massage_types, treatments: fields.treatments },
        signal: previewAbort.signal,
      });
      // Sanitized by the server's renderer, the same HTML readers get; the CSP runs no script in it.
      rendered.innerHTML = data.html;
      showPrivateImages(rendered);
    } catch (err) {
      if (err.name !== "AbortError") rendered.replaceChildren(h("p.error", {}, `Preview failed: ${err.message}`));
    }
  }, PREVIEW_DELAY_MS);

  // SEO hints, and the search result as it may look.
  const seoTitleCount = h("small.hint");
  const seoDescCount = h("small.hint");
  const serp = h("div.serp", { role: "group", "aria-label": "Search result preview" });
  const slugHint = h("small.hint");
  function refreshHints() {
    const f = read();
    const title = f.seo_title || f.title;
    const desc = f.seo_description || f.excerpt;
    controls.seo_title.placeholder = `${f.title} (the title, by default)`;
    controls.seo_description.placeholder = `${f.excerpt || "the excerpt"} (by default)`;
    seoTitleCount.textContent = `${title.length} characters; up to 60 show in search results.`;
    seoDescCount.textContent = `${desc.length} characters; 70–160 read best.`;
    slugHint.textContent = `Made from the title: ${slugOf(f.title) || "—"}`;
    mount(serp, h("div.serp-title", {}, title.slice(0, 60) + (title.length > 60 ? "…" : "")), h("div.serp-url", {}, `…/${f.slug}`), h("div.serp-desc", {}, desc.slice(0, 160)));
  }

  // A draft's slug follows its title until the editor sets it.
  let slugFollows = article.status === "draft" && (article.slug.startsWith("draft-") || article.slug === slugOf(article.title));

  // Fields the server refused (a taken slug, an unknown tag): left out of
  // saves until they are edited again, so the rest still saves.
  const refused = new Map();
  function markRefused(err, patch) {
    const names = new Set();
    // A taken slug is a 409 naming no field: the slug is the one field that can be taken.
    const errors = err.problem?.errors?.length ? err.problem.errors : err.status === 409 && "slug" in patch ? [{ field: "slug", message: err.message }] : [];
    for (const e of errors) {
      const top = e.field.split(/[.[]/)[0];
      for (const name of top === "seo" ? ["seo_title", "seo_description"] : top === "body" ? ["body"] : [top])
        if (name in state.base) {
          refused.set(name, e.message);
          names.add(name);
        }
    }
    for (const name of names) {
      const el = controls[name]?.el || controls[name];
      el?.setAttribute?.("aria-invalid", "true");
    }
    return names.size > 0;
  }

  // Autosave: what is typed is kept on this device at once, and sent after a pause.
  function changed(event) {
    if (event?.target === controls.slug) slugFollows = false;
    else if (slugFollows && event?.target === controls.title && slugOf(controls.title.value)) controls.slug.value = slugOf(controls.title.value);
    for (const [name, control] of Object.entries(controls))
      if (event?.target && (control.el || control).contains?.(event.target)) {
        refused.delete(name);
        (control.el || control).removeAttribute?.("aria-invalid");
      }
    const fields = read();
    if (!same(fields, state.base)) {
      keep("article", id, { version: state.article.version, etag: state.etag, base: state.base, fields });
      status.textContent = "Unsaved changes";
    } else if (!state.saving && !state.conflict) {
      // Typed back to what the server has: nothing to send.
      forget("article", id);
      status.textContent = `Saved at ${new Date().toLocaleTimeString()}`;
    }
    refreshHints();
    preview();
    save();
  }

  /** Sends what differs from the server's copy now, after any save under way. */
  async function saveNow() {
    save.cancel();
    while (state.saving) await state.saving;
    if (state.conflict) return;
    const fields = read();
    const patch = patchOf(state.base, fields);
    for (const name of refused.keys()) {
      if (name === "seo_title" || name === "seo_description") delete patch.seo;
      else delete patch[name];
    }
    if (!Object.keys(patch).length) return;
    status.textContent = "Saving…";
    state.saving = (async () => {
      try {
        const { data, etag } = await api.patch(`/admin/articles/${id}`, patch, state.etag);
        state.article = data;
        state.etag = etag;
        // What was sent is the server's now; a refused field keeps its old value there.
        state.base = { ...fields, ...Object.fromEntries([...refused.keys()].map((k) => [k, fieldsOf(data)[k]])) };
        // Typed on while it was sent: the device copy now waits against the new version.
        if (same(read(), state.base)) forget("article", id);
        else keep("article", id, { version: data.version, etag, base: state.base, fields: read() });
        status.textContent = refused.size ? `Saved, except: ${[...refused.keys()].map((k) => LABELS[k]).join(", ")}` : `Saved at ${new Date().toLocaleTimeString()}`;
        renderActions();
      } catch (err) {
        // Not awaited: the conflict view waits for the editor's choice, then saves (after this save ends).
        if (err.status === 412) return void conflict();
        if (err.status === 0 || err instanceof TypeError) status.textContent = "Offline — your changes are kept on this device";
        else if ([404, 409, 422].includes(err.status) && markRefused(err, patch)) {
          status.textContent = `Not saved: ${[...refused.keys()].map((k) => LABELS[k]).join(", ")} (see the message)`;
          announce(`Not saved: ${problemText(err)}`, "error");
          setTimeout(() => save(), 0);
        } else {
          status.textContent = "Not saved";
          announce(`Not saved: ${problemText(err)}`, "error");
        }
      } finally {
        state.saving = null;
      }
    })();
    await state.saving;
  }
  const save = debounce(() => saveNow(), SAVE_DELAY_MS);
  const online = () => save();
  window.addEventListener("online", online);

  // Another editor saved first: show what they changed, keep mine or theirs, field by field.
  async function conflict() {
    state.conflict = true;
    status.textContent = "Someone else saved this article — choose what to keep";
    // Nothing can be typed until the choice is made (and nothing typed is lost).
    form.inert = true;
    let theirs, etag, diff;
    try {
      ({ data: theirs, etag } = await api.get(`/admin/articles/${id}`));
      ({ data: diff } = await api.get(`/admin/articles/${id}/revisions/diff?from=${state.article.version}&to=${theirs.version}`));
    } catch (err) {
      form.inert = false;
      state.conflict = false;
      status.textContent = "Not saved: the other version could not be loaded (your changes are kept on this device)";
      announce(problemText(err), "error");
      return;
    }
    const theirFields = fieldsOf(theirs);
    const merged = await chooseMerge({
      title: "Another editor saved this article",
      intro: `Version ${theirs.version} was saved after the one you were editing (${state.article.version}). What they changed:`,
      before: diffView(diff.fields, LABELS),
      labels: LABELS,
      base: state.base,
      mine: read(),
      theirs: theirFields,
      show,
    });
    form.inert = false;
    state.article = theirs;
    state.etag = etag;
    state.base = theirFields;
    state.conflict = false;
    write(merged);
    renderActions();
    if (same(merged, theirFields)) {
      forget("article", id);
      status.textContent = "Their version is shown; nothing of yours was sent";
    } else {
      changed();
      await saveNow();
    }
  }

  // Review and publication, as the role allows (the server still decides).
  const actions = h("div.actions", { role: "group", "aria-label": "Publication" });
  const meta = h("p.meta");
  async function act(path, body, done) {
    await saveNow();
    if (state.conflict || !same(read(), state.base)) {
      announce("Your changes are not saved yet; they must be before this.", "error");
      return;
    }
    try {
      const { data, etag } = await api.post(`/admin/articles/${id}/${path}`, body, { etag: state.etag });
      state.article = data;
      state.etag = etag;
      state.base = fieldsOf(data);
      announce(done);
      renderActions();
    } catch (err) {
      announce(problemText(err), "error");
    }
  }
  let shownActions = null;
  function renderActions() {
    const a = state.article;
    const flow = a.workflow || {};
    const shape = `${a.status}|${flow.state}|${a.published_at}`;
    meta.textContent = `Version ${a.version} · ${a.status}${a.published_at ? ` · ${a.status === "scheduled" ? "goes public" : "published"} ${formatDate(a.published_at)}` : ""} · review: ${flow.state || "none"}`;
    if (shape === shownActions) return;
    shownActions = shape;
    const focused = actions.contains(document.activeElement) ? document.activeElement.textContent : null;
    const when = h("input", { type: "datetime-local", name: "publish_at" });
    const buttons = [];
    if (api.may("write") && flow.state !== "in_review" && flow.state !== "approved")
      buttons.push(h("button", { type: "button", onclick: () => act("submit", {}, "Submitted for review.") }, "Submit for review"));
    if (api.may("review") && flow.state === "in_review") {
      const reviewer = h("select", { name: "reviewed_by" }, h("option", { value: "" }, "my own profile"), people.data.map((p) => h("option", { value: p.slug }, `${p.name}${p.credentials ? `, ${p.credentials}` : ""}`)));
      const due = h("input", { type: "date", name: "next_review_due" });
      const approval = () => ({ ...(reviewer.value ? { reviewed_by: reviewer.value } : {}), ...(due.value ? { next_review_due: due.value } : {}) });
      buttons.push(field("Medically reviewed by", reviewer), field("Review again by (default: the site's interval)", due));
      buttons.push(h("button", { type: "button", onclick: () => act("approve", approval(), "Approved.") }, "Approve"));
      const note = h("input", { name: "note", placeholder: "What should change?" });
      buttons.push(field("Change request", note), h("button", { type: "button", onclick: () => note.value.trim() ? act("request-changes", { note: note.value }, "Changes requested.") : missing(note, "Write what should change first.") }, "Request changes"));
    }
    if (api.may("publish")) {
      if (a.status !== "published") buttons.push(h("button.primary", { type: "button", onclick: () => act("publish", {}, "Published.") }, "Publish now"));
      buttons.push(field("Publish at", when), h("button", { type: "button", onclick: () => when.value ? act("publish", { publish_at: new Date(when.value).toISOString() }, "Scheduled.") : missing(when, "Choose the date and time first.") }, "Schedule"));
      if (a.status === "published" || a.status === "scheduled") buttons.push(h("button", { type: "button", onclick: () => act("unpublish", undefined, "Unpublished: a draft again.") }, "Unpublish"));
    }
    buttons.push(h("button", { type: "button", onclick: makePreviewLink }, "Preview link"));
    buttons.push(h("button", { type: "button", onclick: openRevisions }, "Revisions"));
    mount(actions, buttons);
    if (focused) [...actions.querySelectorAll("button")].find((b) => b.textContent === focused)?.focus();
  }
  function missing(control, message) {
    control.setAttribute("aria-invalid", "true");
    announce(message, "error");
    control.focus();
  }
  // 6: what is typed is saved before revisions are shown (a restore replaces it).
  async function openRevisions() {
    await saveNow();
    if (state.conflict || !same(read(), state.base)) return announce("Your changes are not saved yet; they must be before a restore.", "error");
    showRevisions(id, () => state.etag, restored);
  }
  const previewOut = h("div.preview-link");
  async function makePreviewLink() {
    await saveNow();
    try {
      const { data } = await api.post(`/admin/articles/${id}/preview`, {});
      const url = data.url || `${location.origin}/api/v1/preview/articles/${id}?token=${data.token}`;
      const box = h("input", { readonly: true, value: url, onfocus: (e) => e.target.select() });
      mount(previewOut, field(`Preview link, valid until ${formatDate(data.expires_at)}`, box));
      box.focus();
    } catch (err) {
      announce(problemText(err), "error");
    }
  }
  function restored(data, etag) {
    state.article = data;
    state.etag = etag;
    state.base = fieldsOf(data);
    write(state.base);
    forget("article", id);
    renderActions();
    announce(`Restored: now version ${data.version}.`);
  }

  // Text kept on this device from a closed tab or a lost connection.
  const kept = keptCopy("article", id);
  const banner = kept && !same(kept.fields, state.base)
    ? h(
        "div.banner",
        { role: "alert" },
        `Changes you made ${formatDate(kept.at)} were not saved to the server; they were kept on this device. `,
        h("button.primary", { type: "button", onclick: () => restoreKept() }, "Restore them"),
        h("button", { type: "button", onclick: () => { forget("article", id); banner.remove(); form.inert = false; controls.title.focus(); } }, "Discard them"),
      )
    : null;
  if (kept && !banner) forget("article", id);
  // Sent against the version they were written on: if the article moved on
  // since, the server answers 412 and the conflict view shows both.
  function restoreKept() {
    banner.remove();
    form.inert = false;
    if (kept.version !== state.article.version) {
      state.article = { ...state.article, version: kept.version };
      state.etag = kept.etag;
      if (kept.base) state.base = kept.base;
    }
    write(kept.fields);
    changed();
  }

  const faqs = faqPanel(() => state.article);
  mount(
    main,
    h("div.heading", {}, h("h1", {}, "Edit article"), status),
    banner,
    meta,
    actions,
    previewOut,
    form,
  );
  mount(
    form,
    h(
      "div.editor",
      {},
      h(
        "div.fields",
        {},
        field("Title", input("title", { required: true })),
        field("Slug", input("slug"), slugHint),
        field("Excerpt", input("excerpt", { multiline: true, rows: 3 })),
        field("Tags (comma-separated)", tags.el),
        h("div.field", {}, h("span.label", {}, "Cover image"), coverBox),
        h("div.field", {}, h("span.label", {}, "Massage types"), chooser("massage_types", types.data)),
        h("div.field", {}, h("span.label", {}, "Treatments"), chooser("treatments", treatments.data)),
        h("div.field", {}, h("span.label", {}, "Authors (credited, in order)"), chooser("authors", people.data)),
        field("Related articles (slugs, comma-separated)", related.el),
        field("References (one a line: title | URL | publisher)", references.el),
        h("fieldset.seo", {}, h("legend", {}, "Search engines"), field("SEO title", input("seo_title"), seoTitleCount), field("SEO description", input("seo_description", { multiline: true, rows: 2 }), seoDescCount), serp),
      ),
      h("div.body", {}, h("label", { for: "body-md" }, "Body (Markdown)"), toolbar, h("div.split", {}, body, h("section.preview", { "aria-label": "Preview" }, rendered))),
    ),
    faqs.el,
  );
  body.id = "body-md";
  // Kept text waits for a choice before anything new is typed over it.
  if (banner) form.inert = true;
  refreshHints();
  renderActions();
  preview.flush();

  // Leaving the screen (or the page): send what is waiting.
  return async () => {
    preview.cancel();
    window.removeEventListener("online", online);
    await Promise.all([saveNow(), faqs.flush()]);
  };
}

function show(value) {
  if (!Array.isArray(value)) return value;
  return value.map((v) => (v && typeof v === "object" ? `${v.title} | ${v.url}` : v)).join("\n");
}

function problemText(err) {
  const fields = err.problem?.errors?.map((e) => `${e.field} ${e.message}`).join("; ");
  return fields ? `${err.message}: ${fields}` : err.message;
}
