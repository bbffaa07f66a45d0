// The collections, from one description each: massage types and treatments
// (ordered), tags, standalone FAQs, people, users and roles, redirects,
// webhooks (with their delivery log), the media library, site settings, and
// the activity log. Every write sends If-Match; what the role may not do is
// not offered (the server still decides).

import * as api from "./api.js";
import { h, mount, field, announce, formatDate } from "./dom.js";
import { imageSrc } from "./media.js";
import { editForm } from "./forms.js";

// Fields as forms.js takes them: [name, label, kind, required]; `defaults`
// fill the add form.
export const COLLECTIONS = {
  "massage-types": { title: "Massage types", path: "/admin/massage-types", ordered: true, write: "publish", label: (x) => x.name, fields: [["name", "Name", "text", true], ["slug", "Slug", "text"], ["best_for", "Best for", "text"], ["benefits", "Benefits", "textarea"], ["description", "Description", "textarea"]] },
  treatments: { title: "Treatments", path: "/admin/treatments", ordered: true, write: "publish", label: (x) => x.name, fields: [["name", "Name", "text", true], ["slug", "Slug", "text"], ["benefits", "Benefits", "textarea"], ["limitations", "Limitations", "textarea"]] },
  tags: { title: "Tags", path: "/admin/tags", write: "publish", label: (x) => `${x.name} (${x.slug})`, fields: [["name", "Name", "text", true], ["slug", "Slug", "text"]] },
  faqs: { title: "FAQs", path: "/admin/faqs", ordered: true, write: "publish", label: (x) => `${x.question}${x.article ? ` — on ${x.article}` : ""}`, fields: [["question", "Question", "text", true], ["answer", "Answer (Markdown)", "markdown", true], ["article", "Article slug (empty: a standalone FAQ)", "text"]] },
  people: { title: "People (author profiles)", path: "/admin/people", write: "publish", label: (x) => `${x.name}${x.credentials ? `, ${x.credentials}` : ""}`, fields: [["name", "Name", "text", true], ["slug", "Slug", "text"], ["credentials", "Credentials", "text"], ["job_title", "Job title", "text"], ["bio", "Biography (Markdown)", "markdown"], ["same_as", "Profiles elsewhere (one URL a line)", "lines"]] },
  users: { title: "Users and roles", path: "/admin/users", write: "administer", read: "administer", label: (x) => `${x.name} <${x.email}> · ${x.role}${x.disabled ? " · disabled" : ""}`, fields: [["email", "Email", "text", true], ["name", "Name", "text", true], ["role", "Role", "select:author|reviewer|editor|admin", true], ["disabled", "Disabled", "checkbox"], ["password", "Password (12 characters or more; empty: unchanged)", "password"]] },
  redirects: { title: "Redirects", path: "/admin/redirects", write: "publish", noEdit: true, label: (x) => `${x.from} → ${x.to} (${x.status})`, fields: [["from", "From (a path)", "text", true], ["to", "To (a path or URL)", "text", true], ["status", "Status", "select:301|308"]] },
  webhooks: { title: "Webhooks", path: "/admin/webhooks", write: "administer", read: "administer", label: (x) => `${x.url}${x.enabled ? "" : ` · disabled${x.disabled_reason ? `: ${x.disabled_reason}` : ""}`} · ${x.pending} pending, ${x.failed} failed`, defaults: { events: ["*"], enabled: true }, fields: [["url", "URL (https://…)", "text", true], ["description", "Description", "text"], ["events", "Events (one a line: *, article.*, review.submitted…)", "lines"], ["enabled", "Enabled", "checkbox"]] },
};

/** One collection: its list, a form to add, and each item edited in a dialog. */
export async function showCollection(main, name) {
  const c = COLLECTIONS[name];
  if (!c) throw new Error(`no collection "${name}"`);
  const canWrite = api.may(c.write);
  const { data } = await api.get(`${c.path}?per_page=100`);
  const items = c.ordered ? [...data].sort((a, b) => a.position - b.position) : data;
  const list = h(
    "ul.rows.card",
    { "aria-label": c.title },
    items.length
      ? items.map((item, i) =>
          h(
            "li.row.item",
            {},
            h("span.grow", {}, c.label(item)),
            canWrite && !c.noEdit ? h("button", { type: "button", onclick: () => edit(item) }, "Edit") : null,
            canWrite && name === "webhooks" ? h("button", { type: "button", onclick: () => deliveries(item) }, "Delivery log") : null,
            canWrite && c.ordered && i > 0 ? h("button", { type: "button", onclick: () => swap(item, items[i - 1]) }, "Move up") : null,
            canWrite ? h("button", { type: "button", onclick: () => remove(item) }, "Delete") : null,
          ),
        )
      : h("li.muted", {}, "None yet."),
  );
  const again = () => showCollection(main, name);

  // One write: the server makes room at the new position (moving the rest down).
  async function swap(a, b) {
    try {
      await api.patch(`${c.path}/${a.id}`, { position: b.position }, `"v${a.version}"`);
      announce("Moved.");
    } catch (err) {
      announce(`Not moved: ${err.message}`, "error");
    }
    await again();
  }

  async function remove(item) {
    if (!window.confirm(`Delete “${c.label(item)}”?`)) return;
    try {
      const { etag } = await api.get(`${c.path}/${item.id}`);
      await api.del(`${c.path}/${item.id}`, etag);
      announce("Deleted.");
    } catch (err) {
      announce(`Not deleted: ${err.message}`, "error");
    }
    await again();
  }

  async function edit(item) {
    const url = `${c.path}/${item.id}`;
    const { data: current, etag } = await api.get(url);
    const dialog = h("dialog", { "aria-labelledby": "edit-title" });
    const close = () => dialog.close();
    dialog.addEventListener("close", () => dialog.remove());
    const submit = async (body, ifMatch) => {
      if (Object.keys(body).length) await api.patch(url, body, ifMatch);
      close();
      announce(Object.keys(body).length ? "Saved." : "Nothing changed.");
      await again();
    };
    mount(
      dialog,
      h("h2#edit-title", {}, `Edit: ${c.label(current)}`),
      editForm({ fields: c.fields, target: { item: current, etag, url }, submit, submitLabel: "Save" }),
      h("button", { type: "button", onclick: close }, "Cancel"),
    );
    document.body.append(dialog);
    dialog.showModal();
  }

  async function deliveries(endpoint) {
    const dialog = h("dialog", { "aria-labelledby": "log-title" });
    dialog.addEventListener("close", () => dialog.remove());
    const body = h("div");
    const load = async () => {
      const { data: log } = await api.get(`/admin/webhooks/${endpoint.id}/deliveries?per_page=50`);
      mount(
        body,
        h(
          "ul.rows",
          {},
          log.length
            ? log.map((d) =>
                h(
                  "li.row",
                  {},
                  h("span.grow", {}, `${d.event_type} · ${d.status} · ${d.attempts} attempt(s)${d.last_status ? ` · last answer ${d.last_status}` : ""}${d.last_error ? ` · ${d.last_error}` : ""} · ${formatDate(d.created_at)}`),
                  d.status !== "pending" ? h("button", { type: "button", onclick: () => api.post(`/admin/webhooks/${endpoint.id}/deliveries/${d.id}/replay`, {}).then(load) }, "Replay") : null,
                ),
              )
            : h("li.muted", {}, "Nothing sent yet."),
        ),
      );
    };
    mount(
      dialog,
      h("h2#log-title", {}, `Deliveries to ${endpoint.url}`),
      h(
        "div.actions",
        {},
        h("button", { type: "button", onclick: () => api.post(`/admin/webhooks/${endpoint.id}/ping`, {}).then(() => (announce("Ping queued."), load())) }, "Send a ping"),
        h("button", { type: "button", onclick: () => api.post(`/admin/webhooks/${endpoint.id}/replay`, { since: new Date(Date.now() - 7 * 86400000).toISOString() }).then((r) => (announce(`${r.data.replayed} failed deliveries queued again.`), load())) }, "Replay every failed one of the last 7 days"),
      ),
      body,
      h("button", { type: "button", onclick: () => dialog.close() }, "Close"),
    );
    document.body.append(dialog);
    dialog.showModal();
    await load();
  }

  const secret = h("div");
  mount(
    main,
    h("h1", {}, c.title),
    list,
    canWrite
      ? h(
          "section",
          { "aria-labelledby": "add-title" },
          h("h2#add-title", {}, "Add"),
          secret,
          editForm({ fields: c.fields, value: (_, name) => c.defaults?.[name], submitLabel: "Add", submit: async (body) => {
            const { data: created } = await api.post(c.path, body);
            announce("Added.");
            if (created.secret) {
              // Shown this once: the receiver needs it to verify signatures.
              await again();
              mount(main.querySelector("section") || main, h("p.banner", {}, "The signing secret, shown this once: ", h("code", {}, created.secret)));
              return;
            }
            await again();
          } }),
        )
      : null,
  );
}

/** The media library: search, alt text needing attention, usage; delete refused while used. */
export async function showLibrary(main, params) {
  const query = new URLSearchParams({ per_page: "48" });
  if (params.get("q")) query.set("q", params.get("q"));
  if (params.get("needs_alt")) query.set("needs_alt", "true");
  const { data } = await api.get(`/admin/media?${query}`);
  const q = h("input", { type: "search", name: "q", value: params.get("q") || "" });
  const needsAlt = h("input", { type: "checkbox", name: "needs_alt", checked: Boolean(params.get("needs_alt")) });
  mount(
    main,
    h("h1", {}, "Media library"),
    h(
      "form.filters",
      { role: "search", onsubmit: (e) => { e.preventDefault(); const next = new URLSearchParams(); if (q.value.trim()) next.set("q", q.value.trim()); if (needsAlt.checked) next.set("needs_alt", "1"); location.hash = `#/library?${next}`; } },
      field("Search", q),
      h("label.check", {}, needsAlt, " Only images missing alt text"),
      h("button", { type: "submit" }, "Filter"),
    ),
    h(
      "ul.media-grid.library",
      { "aria-label": "Images" },
      data.map((item) => {
        const img = h("img", { alt: item.alt || "", width: 160, height: 110, loading: "lazy" });
        imageSrc(item.image?.src || item.url).then((src) => (img.src = src)).catch(() => {});
        const alt = h("input", { name: `alt-${item.id}`, value: item.alt || "" });
        const used = item.used_by?.length ? `Used by ${item.used_by.map((u) => `${u.kind} ${u.label || u.id}`).join(", ")}` : "Not used";
        return h(
          "li.card",
          {},
          img,
          field(`Alt text of ${item.filename}`, alt),
          h("small", {}, used),
          h(
            "div.actions",
            {},
            h("button", { type: "button", onclick: async () => { try { await api.patch(`/admin/media/${item.id}`, { alt: alt.value }, `"v${item.version}"`); announce("Alt text saved."); showLibrary(main, params); } catch (err) { announce(err.message, "error"); } } }, "Save alt text"),
            h("button", { type: "button", onclick: async () => { try { await api.del(`/admin/media/${item.id}`, `"v${item.version}"`); announce("Deleted."); showLibrary(main, params); } catch (err) { announce(err.status === 409 ? `Not deleted: ${err.message}` : err.message, "error"); } } }, "Delete"),
          ),
        );
      }),
    ),
  );
}

/** Site settings (admins). */
export async function showSite(main) {
  const url = "/admin/site";
  const { data, etag } = await api.get(url);
  const fields = [["name", "Site name", "text", true], ["location", "Location", "text"], ["description", "Description", "textarea"], ["base_url", "Front end's base URL", "text"], ["article_path", "Article path ({slug})", "text"], ["tag_path", "Tag path ({slug}; empty: no tag pages)", "text"], ["preview_url", "Preview URL ({token}, {slug}, {id})", "text"], ["disclaimer", "Medical disclaimer (Markdown)", "markdown"], ["require_review", "Require an approved medical review to publish", "checkbox"], ["review_interval_months", "Review again after (months)", "number"]];
  const submit = async (body, ifMatch) => {
    if (Object.keys(body).length) await api.patch(url, body, ifMatch);
    announce(Object.keys(body).length ? "Settings saved." : "Nothing changed.");
    showSite(main);
  };
  mount(
    main,
    h("h1", {}, "Site settings"),
    editForm({ fields, target: { item: data, etag, url }, value: (item, name) => item?.[name] ?? item?.editorial?.[name], submit, submitLabel: "Save settings" }),
  );
}

/** Who did what, newest first. */
export async function showActivity(main, params) {
  const page = Number(params.get("page") || 1);
  const { data, meta } = await api.get(`/admin/activity?per_page=50&page=${page}`);
  mount(
    main,
    h("h1", {}, "Activity"),
    h("ul.rows.card", {}, data.map((a) => h("li.row", {}, `${formatDate(a.created_at)} · ${a.user?.name || "the system"} ${a.action} ${a.item_type} “${a.item_label}”`))),
    meta && page < meta.total_pages ? h("a.button", { href: `#/activity?page=${page + 1}` }, "Older") : null,
  );
}
