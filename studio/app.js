// The studio: sign-in, the home screen, the article list, and the editor
// (editor.js). Hash routes: #/, #/articles?…, #/articles/new, #/articles/:id.

import * as api from "./api.js";
import { h, mount, field, announce, formatDate } from "./dom.js";
import { openEditor } from "./editor.js";
import { keptCount } from "./kept.js";
import { COLLECTIONS, showCollection, showLibrary, showSite, showActivity } from "./collections.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
let leave = null; // the open screen's "before you go" (the editor saves)

api.onSession((user) => {
  mount(
    nav,
    user
      ? [
          h("a", { href: "#/" }, "Home"),
          h("a", { href: "#/articles" }, "Articles"),
          h("a", { href: "#/content" }, "Content"),
          h("a", { href: "#/library" }, "Media"),
          h("a", { href: "#/activity" }, "Activity"),
          h("span.who", {}, `${user.name} · ${user.role}`),
          h("button.link", { type: "button", onclick: signOut }, "Sign out"),
        ]
      : [],
  );
  if (!user && !main.querySelector("form.signin")) showSignIn();
});

async function signOut() {
  if (leave) await leave();
  leave = null;
  const unsaved = keptCount();
  await api.signOut();
  if (unsaved) announce(`${unsaved} article(s) or FAQ(s) had changes the server did not get; they stay on this device for your next sign-in.`, "error");
  location.hash = "#/";
}

function showSignIn(message) {
  leave = null;
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const error = h("p.error", { role: "alert" }, message || "");
  const form = h(
    "form.signin.card",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = "";
        try {
          await api.signIn(email.value, password.value);
          route();
        } catch (err) {
          error.textContent = err.status === 429 ? "Too many attempts; wait a minute." : err.message;
          password.select();
        }
      },
    },
    h("h1", {}, "Sign in to the studio"),
    field("Email", email),
    field("Password", password),
    error,
    h("button.primary", { type: "submit" }, "Sign in"),
  );
  mount(main, form);
  email.focus();
}

async function route() {
  if (leave) {
    const pending = leave;
    leave = null;
    await pending();
  }
  if (!api.currentUser()) return showSignIn();
  const [path, query] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = (path || "/").split("/").filter(Boolean);
  // The screen left is gone at once: nothing can be typed into an editor being closed.
  mount(main, h("p.muted", { role: "status" }, "Loading…"));
  try {
    if (parts[0] === "articles" && parts[1] === "new") return await createArticle();
    if (parts[0] === "articles" && parts[1]) {
      leave = await openEditor(main, Number(parts[1]));
      return;
    }
    if (parts[0] === "articles") return await showList(params);
    if (parts[0] === "content") return showContent();
    if (parts[0] === "collections" && parts[1]) return await showCollection(main, parts[1]);
    if (parts[0] === "library") return await showLibrary(main, params);
    if (parts[0] === "site") return await showSite(main);
    if (parts[0] === "activity") return await showActivity(main, params);
    return await showHome();
  } catch (err) {
    if (err.status === 401) return showSignIn("Your session ended; sign in again.");
    mount(main, h("div.card", {}, h("h1", {}, "Something went wrong"), h("p.error", { role: "alert" }, err.message)));
  } finally {
    if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }
}

function statusBadge(status) {
  return h(`span.badge.${status}`, {}, status);
}

function articleRow(a) {
  return h(
    "li.row",
    {},
    h("a", { href: `#/articles/${a.id}` }, a.title || "(untitled)"),
    " ",
    statusBadge(a.status),
    h("small", {}, a.status === "scheduled" ? ` for ${formatDate(a.published_at)}` : ` · ${formatDate(a.updated_at)}`),
  );
}

async function section(title, path, empty) {
  const list = h("ul.rows", {}, h("li", {}, "Loading…"));
  const box = h("section.card", { "aria-label": title }, h("h2", {}, title), list);
  api
    .get(path)
    .then(({ data }) => mount(list, data.length ? data.map(articleRow) : h("li.muted", {}, empty)))
    .catch((err) => mount(list, h("li.error", {}, err.message)));
  return box;
}

async function showHome() {
  const user = api.currentUser();
  mount(
    main,
    h("div.heading", {}, h("h1", {}, `Hello, ${user.name}`), api.may("write") ? h("a.button.primary", { href: "#/articles/new" }, "New article") : null),
    h(
      "div.grid",
      {},
      await section("My drafts", "/admin/articles?status=draft&mine=true&per_page=5", "You have no drafts."),
      await section("Awaiting review", "/admin/review-queue?per_page=5", "Nothing awaits review."),
      await section("Scheduled", "/admin/articles?status=scheduled&sort=published_at&per_page=5", "Nothing is scheduled."),
      await section("Recently published", "/admin/articles?status=published&sort=-published_at&per_page=5", "Nothing published yet."),
      await section("Reviews overdue", "/admin/articles?review=overdue&per_page=5", "No review is overdue."),
    ),
  );
}

async function showList(params) {
  const status = h(
    "select",
    { name: "status" },
    ["", "draft", "scheduled", "published", "archived"].map((s) => h("option", { value: s, selected: params.get("status") === s }, s || "any")),
  );
  const tag = h("input", { name: "tag", value: params.get("tag") || "", placeholder: "tag slug" });
  const q = h("input", { type: "search", name: "q", value: params.get("q") || "", placeholder: "words" });
  const { data: people } = await api.get("/admin/people?per_page=100");
  const author = h(
    "select",
    { name: "author" },
    h("option", { value: "" }, "anyone"),
    people.map((p) => h("option", { value: p.slug, selected: params.get("author") === p.slug }, p.name)),
  );
  const mine = h("input", { type: "checkbox", name: "mine", checked: params.get("mine") === "true" });
  const filters = h(
    "form.filters",
    {
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        for (const [k, v] of [["status", status.value], ["tag", tag.value.trim()], ["q", q.value.trim()], ["author", author.value], ["mine", mine.checked ? "true" : ""]]) if (v) next.set(k, v);
        location.hash = `#/articles?${next}`;
      },
    },
    field("Status", status),
    field("Tag", tag),
    field("Search", q),
    field("Author", author),
    h("label.check", {}, mine, " Only mine"),
    h("button", { type: "submit" }, "Filter"),
  );
  const query = new URLSearchParams(params);
  query.set("per_page", "20");
  const { data, meta } = await api.get(`/admin/articles?${query}`);
  const more = meta?.next_cursor
    ? h("a.button", { href: `#/articles?${new URLSearchParams({ ...Object.fromEntries(params), cursor: meta.next_cursor })}` }, "Next page")
    : null;
  mount(
    main,
    h("div.heading", {}, h("h1", {}, "Articles"), api.may("write") ? h("a.button.primary", { href: "#/articles/new" }, "New article") : null),
    filters,
    h("p.muted", {}, `${meta?.total ?? data.length} articles`),
    h("ul.rows.card", {}, data.length ? data.map(articleRow) : h("li.muted", {}, "No article matches.")),
    more,
  );
}

function showContent() {
  const links = Object.entries(COLLECTIONS)
    .filter(([, c]) => !c.read || api.may(c.read))
    .map(([name, c]) => h("li", {}, h("a", { href: `#/collections/${name}` }, c.title)));
  if (api.may("administer")) links.push(h("li", {}, h("a", { href: "#/site" }, "Site settings")));
  mount(main, h("h1", {}, "Content and settings"), h("ul.rows.card", {}, links));
}

async function createArticle() {
  // A placeholder slug, unique; the editor makes it from the title as it is typed.
  const slug = `draft-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const { data } = await api.post("/admin/articles", { title: "Untitled article", slug });
  announce("A new draft was created.");
  location.replace(`#/articles/${data.id}`);
}

window.addEventListener("hashchange", route);
window.addEventListener("beforeunload", () => leave?.());
(async () => {
  if (await api.resume()) route();
  else showSignIn();
})();
