// The studio, end to end, in Debian's Chromium (scripts/check-browser.sh),
// against the real binary on a fresh database:
//
// sign in; write an article with a table, see the server's preview,
// autosave, submit, approve and publish it, and read it back on the public
// API; schedule one; two editors save the same article (412) and the second
// merges field by field; a tab closed while offline gives its text back;
// revisions diff and restore; an author gets no publish button (and the
// server refuses anyway); a list item moves by keyboard; with the keyboard
// alone: sign in, an edit dialog whose save meets 412 and is merged per field,
// an FAQ's conflict, the media dialog, Escape; axe-core finds no
// serious or critical violation on any screen; no request leaves the
// origin and the CSP is never violated; every screen at 360 px and 1440 px.
// Prints what the browser measured (first load, opening an article, typing).
//
// Usage: node studio.mjs BASE_URL   (ADMIN_EMAIL, ADMIN_PASSWORD; STUDIO_SCREENSHOTS=dir to keep screenshots)

import { readFileSync, mkdirSync } from "node:fs";
import { deflateSync, crc32 } from "node:zlib";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const base = process.argv[2]?.replace(/\/$/, "");
const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password, STUDIO_SCREENSHOTS: shots } = process.env;
if (!base || !email || !password) {
  console.error("usage: ADMIN_EMAIL=... ADMIN_PASSWORD=... node studio.mjs BASE_URL");
  process.exit(2);
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
if (shots) mkdirSync(shots, { recursive: true });

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
};

async function api(method, path, { token, body, ifMatch } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (ifMatch) headers["If-Match"] = ifMatch;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get("etag"), json: text ? JSON.parse(text) : null };
}
/** A real PNG (a gradient), for the upload. */
function png(width, height) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), data])) >>> 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 255) / width, (y * 255) / height, 160], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}
const login = async (who, pass) => (await api("POST", "/api/v1/auth/login", { body: { email: who, password: pass } })).json.data.access_token;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const offOrigin = [];
const cspViolations = [];
const pageErrors = [];

async function newPage(context) {
  const page = await context.newPage();
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith("data:") && !url.startsWith("blob:")) offOrigin.push(url);
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  return page;
}

async function axe(page, screen) {
  // Evaluated by the harness (an injected <script> would be an inline script the CSP refuses).
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })));
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe: no serious or critical violation on ${screen}${bad.length ? ` (${JSON.stringify(bad)})` : ""}`);
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
}

async function signIn(page, who = email, pass = password) {
  await page.goto(`${base}/studio/`);
  await page.getByLabel("Email").fill(who);
  await page.getByLabel("Password").fill(pass);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /^Hello/ }).waitFor();
}

/** Presses Tab (Shift+Tab with `back`; a keyboard user's only way there) until the focused control's name matches; fails after 80 presses. */
async function tabTo(page, name, { back = false } = {}) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const now = await page.evaluate(() => {
      const el = document.activeElement;
      return (el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "").trim();
    });
    if (typeof name === "string" ? now === name : name.test(now)) return;
  }
  throw new Error(`Tab never reached “${name}”`);
}

const saved = (page) => page.locator(".save-state", { hasText: /^Saved at/ }).waitFor({ timeout: 15000 });

async function newArticle(page, title) {
  const before = page.url();
  await page.goto(`${base}/studio/#/articles/new`);
  await page.waitForURL((url) => /#\/articles\/\d+$/.test(url.hash) && url.href !== before);
  await page.getByRole("heading", { name: "Edit article" }).waitFor();
  await page.getByLabel("Title", { exact: true }).fill(title);
  await saved(page);
  return Number(new URL(page.url()).hash.split("/")[2]);
}

try {
  const admin = await login(email, password);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await newPage(context);

  // Sign in; the first load, measured by the browser.
  await page.goto(`${base}/studio/`);
  await page.getByRole("heading", { name: "Sign in to the studio" }).waitFor();
  const load = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
    const nav = performance.getEntriesByType("navigation")[0];
    return { bytes: entries.reduce((n, e) => n + (e.encodedBodySize || 0), 0), files: entries.length, ready: Math.round(performance.now()), dcl: Math.round(nav.domContentLoadedEventEnd) };
  });
  console.log(`figure: first load ${load.files} files, ${load.bytes} bytes compressed; sign-in form shown ${load.ready} ms after navigation (DOMContentLoaded ${load.dcl} ms)`);
  check(load.bytes <= 150 * 1024, `first load transfers ≤ 150 KB (${load.bytes} bytes)`);
  await axe(page, "sign-in");
  await shot(page, "sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password 123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /wrong/ }).waitFor();
  check(true, "a wrong password is refused with a message");
  await signIn(page);
  check(!(await page.evaluate(() => document.cookie)).includes("clinic_refresh"), "the refresh token is not readable by a script");
  await axe(page, "home");
  await shot(page, "home");

  // A page opened again resumes the session from its cookie.
  await page.reload();
  await page.getByRole("heading", { name: /^Hello/ }).waitFor();
  check(true, "a reload resumes the session (HttpOnly cookie, silent refresh)");

  // Write an article with a table: autosave, the server's preview, review, publish.
  const id = await newArticle(page, "Studio massage guide");
  await page.getByLabel("Body (Markdown)").fill("## Which massage?\n\n{{massage-types}}\n\nAsk our therapists.");
  await page.getByRole("checkbox", { name: "Thai Massage" }).check();
  await page.getByRole("checkbox", { name: "Swedish Massage" }).check();
  await saved(page);
  const previewTable = page.locator(".preview table");
  await previewTable.waitFor();
  check((await previewTable.textContent()).includes("Thai Massage"), "the preview shows the embedded table, rendered by the server");
  // Typing sends no request per keystroke: one debounced save, one debounced preview.
  const writes = [];
  const counter = (r) => {
    if (r.method() === "PATCH" || r.url().endsWith("/admin/render")) writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  };
  page.on("request", counter);
  await page.getByLabel("Body (Markdown)").press("End");
  await page.keyboard.type(" Forty characters typed one at a time.", { delay: 15 });
  await saved(page);
  await page.waitForTimeout(800);
  page.off("request", counter);
  const patches = writes.filter((w) => w.startsWith("PATCH")).length;
  const renders = writes.length - patches;
  check(patches === 1 && renders <= 2, `38 keystrokes sent ${patches} save(s) and ${renders} preview(s)`);
  // Keyboard: move Thai Massage below Swedish Massage with its button.
  const up = page.getByRole("button", { name: "Move Swedish Massage up" }).first();
  await up.focus();
  await page.keyboard.press("Enter");
  await page.waitForTimeout(100);
  await saved(page);
  let { json } = await api("GET", `/api/v1/admin/articles/${id}`, { token: admin });
  check(json.data.massage_types[0]?.slug === "swedish-massage" && json.data.body.markdown.includes("{{massage-types}}"), "autosaved: body and the order chosen by keyboard");
  await page.goto(`${base}/studio/#/articles`);
  await page.getByRole("heading", { name: "Articles" }).waitFor();
  const opening = await page.evaluate(async (articleId) => {
    const start = performance.now();
    location.hash = `#/articles/${articleId}`;
    while (!document.querySelector(".preview table")) await new Promise((r) => requestAnimationFrame(r));
    return Math.round(performance.now() - start);
  }, id);
  console.log(`figure: opening the article (editor with its preview) took ${opening} ms`);
  // An image from the media library: alt text required, a focal point, inserted; a cover; a FAQ.
  await page.getByRole("button", { name: "Image", exact: true }).click();
  const media = page.getByRole("dialog", { name: "Insert an image" });
  await media.getByLabel("Image file").setInputFiles({ name: "therapy.png", mimeType: "image/png", buffer: png(320, 200) });
  await media.getByRole("button", { name: "Upload" }).click();
  await media.getByRole("alert").filter({ hasText: "alt text" }).waitFor();
  check(true, "an image without alt text (and not decorative) is refused before upload");
  await media.getByLabel("Alt text (what the image shows)").fill("A therapist easing a client's lower back");
  await media.getByRole("button", { name: "Upload" }).click();
  await media.locator(".focal-frame img").waitFor();
  await axe(page, "media library");
  await shot(page, "media");
  const frame = await media.locator(".focal-frame").boundingBox();
  await page.mouse.click(frame.x + frame.width * 0.25, frame.y + frame.height * 0.75);
  check((await media.getByLabel("Focal point x (0–1)").inputValue()) === "0.25", "the focal point follows a click on the image");
  await media.getByRole("button", { name: "Use this image" }).click();
  await saved(page);
  await page.locator(".preview img[src^='blob:']").waitFor();
  check(true, "the preview shows the draft's private image through the editor's token");
  await page.getByRole("button", { name: "Choose cover" }).click();
  const coverDialog = page.getByRole("dialog", { name: "Choose the cover image" });
  await coverDialog.getByRole("button", { name: /A therapist easing/ }).click();
  await coverDialog.getByRole("button", { name: "Use this image" }).click();
  await saved(page);
  await page.getByRole("checkbox", { name: "Maya Chen" }).check();
  await page.getByLabel("References (one a line: title | URL | publisher)").fill("Low back pain | https://www.example.org/low-back-pain | A health agency");
  await page.getByLabel("References (one a line: title | URL | publisher)").press("Tab");
  await saved(page);
  await page.getByLabel("New question").fill("How long is a session?");
  await page.getByLabel("New answer (Markdown)").fill("Usually **60 minutes**.");
  await page.getByRole("button", { name: "Add FAQ" }).click();
  await page.getByLabel("Question 1").waitFor();
  ({ json } = await api("GET", `/api/v1/admin/articles/${id}`, { token: admin }));
  const image = json.data.cover;
  check(image?.focal_point?.x === 0.25 && image?.alt.startsWith("A therapist") && /!\[A therapist[^\]]*\]\(media:\d+\)/.test(json.data.body.markdown), "image inserted with its alt text, its focal point saved, and set as the cover");
  await axe(page, "editor");
  await shot(page, "editor");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await page.locator("#news", { hasText: "Submitted for review." }).waitFor();
  await page.getByLabel("Medically reviewed by").selectOption("ana-ruiz");
  await page.getByRole("button", { name: "Approve" }).click();
  await page.locator("#news", { hasText: "Approved." }).waitFor();
  await page.getByRole("button", { name: "Publish now" }).click();
  await page.locator(".meta", { hasText: "published" }).waitFor();
  const slug = (await api("GET", `/api/v1/admin/articles/${id}`, { token: admin })).json.data.slug;
  const pub = await api("GET", `/api/v1/articles/${slug}`);
  check(pub.status === 200 && pub.json.data.body.html.includes("Thai Massage") && pub.json.data.body.html.includes("<table"), "published: the public API serves it with its table");
  check(pub.json.data.authors.map((a) => a.slug).join() === "maya-chen" && pub.json.data.references[0]?.url === "https://www.example.org/low-back-pain" && pub.json.data.references[0]?.publisher === "A health agency", "credited author and a reference, as chosen");
  check(pub.json.data.review?.reviewed_by?.slug === "ana-ruiz", "the medical reviewer chosen in the review panel is on the published article");
  check(pub.json.data.seo.title === pub.json.data.title, "the SEO title still follows the title (the studio pinned no default)");
  check(pub.json.data.cover?.id === image?.id && pub.json.data.body.html.includes("<picture") && pub.json.data.faqs.some((f) => f.question === "How long is a session?"), "and with its image, cover and FAQ");

  // Schedule one; on the way, a slug that is taken is refused and everything else still saves.
  const later = await newArticle(page, "Studio scheduled piece");
  await page.getByLabel("Slug", { exact: true }).fill(slug);
  await page.locator(".save-state", { hasText: "Not saved: Slug" }).waitFor();
  await page.getByLabel("Excerpt").fill("Saved although the slug was refused.");
  await page.locator(".save-state", { hasText: "Saved, except: Slug" }).waitFor();
  ({ json } = await api("GET", `/api/v1/admin/articles/${later}`, { token: admin }));
  check(json.data.excerpt === "Saved although the slug was refused." && json.data.slug !== slug, "a taken slug is refused (and marked); the other fields still save");
  await page.getByLabel("Slug", { exact: true }).fill("studio-scheduled-piece");
  await saved(page);
  await page.getByRole("button", { name: "Submit for review" }).click();
  await page.locator("#news", { hasText: "Submitted for review." }).waitFor();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.locator("#news", { hasText: "Approved." }).waitFor();
  const tomorrow = new Date(Date.now() + 86400000);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await page.getByLabel("Publish at").fill(local);
  await page.getByRole("button", { name: "Schedule" }).click();
  await page.locator(".meta", { hasText: "scheduled" }).waitFor();
  ({ json } = await api("GET", `/api/v1/admin/articles/${later}`, { token: admin }));
  check(json.data.status === "scheduled", "scheduled for tomorrow");

  // Two editors, one article: the second save meets 412 and merges.
  const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const second = await newPage(other);
  await signIn(second);
  const shared = await newArticle(page, "Shared draft");
  await second.goto(`${base}/studio/#/articles/${shared}`);
  await second.getByLabel("Title", { exact: true }).waitFor();
  await page.getByLabel("Title", { exact: true }).fill("Shared draft, retitled by the first");
  await saved(page);
  await second.getByLabel("Excerpt").fill("An excerpt by the second editor.");
  const dialog = second.getByRole("dialog", { name: "Another editor saved this article" });
  await dialog.waitFor({ timeout: 15000 });
  check((await dialog.textContent()).includes("retitled by the first"), "the conflict shows what the other editor changed (server diff)");
  await axe(second, "conflict");
  await shot(second, "conflict");
  await dialog.getByRole("button", { name: "Apply my choices" }).click();
  await saved(second);
  ({ json } = await api("GET", `/api/v1/admin/articles/${shared}`, { token: admin }));
  check(json.data.title === "Shared draft, retitled by the first" && json.data.excerpt === "An excerpt by the second editor.", "merged field by field: their title, my excerpt; nothing lost");

  // A tab closed while offline: the text comes back.
  await other.setOffline(true);
  await second.getByLabel("Excerpt").fill("Written offline, then the tab closed.");
  await second.locator(".save-state", { hasText: /Offline|Unsaved/ }).waitFor();
  await second.close();
  await other.setOffline(false);
  const again = await newPage(other);
  await again.goto(`${base}/studio/#/articles/${shared}`);
  const banner = again.getByRole("alert").filter({ hasText: "were not saved" });
  await banner.waitFor();
  await banner.getByRole("button", { name: "Restore them" }).click();
  await saved(again);
  ({ json } = await api("GET", `/api/v1/admin/articles/${shared}`, { token: admin }));
  check(json.data.excerpt === "Written offline, then the tab closed.", "text typed before a closed tab is offered back and saved");

  // Revisions: diff two, restore one.
  await again.getByRole("button", { name: "Revisions" }).click();
  const revisions = again.getByRole("dialog", { name: "Revisions" });
  await revisions.locator("ins, del").first().waitFor();
  check(await revisions.locator("del").count() > 0, "revisions: the server's diff of two versions is shown");
  await axe(again, "revisions");
  await shot(again, "revisions");
  const before = (await api("GET", `/api/v1/admin/articles/${shared}`, { token: admin })).json.data.version;
  await revisions.getByRole("button", { name: /Restore/ }).click();
  await again.locator("#news", { hasText: "Restored" }).waitFor();
  ({ json } = await api("GET", `/api/v1/admin/articles/${shared}`, { token: admin }));
  check(json.data.version === before + 1 && json.data.excerpt === "An excerpt by the second editor.", "restore makes the earlier version current again");

  // An author: no publish button, and the server refuses anyway.
  const authorEmail = `author-${Date.now()}@clinic.example`;
  await api("POST", "/api/v1/admin/users", { token: admin, body: { email: authorEmail, name: "Avery Author", role: "author", password: "author password 123" } });
  const authorContext = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const author = await newPage(authorContext);
  await signIn(author, authorEmail, "author password 123");
  await shot(author, "home-360");
  const own = await newArticle(author, "An author's draft");
  check((await author.getByRole("button", { name: "Publish now" }).count()) === 0, "an author gets no publish button");
  const authorToken = await login(authorEmail, "author password 123");
  check((await api("POST", `/api/v1/admin/articles/${own}/publish`, { token: authorToken, body: {} })).status === 403, "and the server refuses an author's publish");
  const overflow = await author.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the editor fits 360 px (${overflow} px too wide)`);
  await shot(author, "editor-360");
  await author.goto(`${base}/studio/#/articles`);
  await author.getByRole("heading", { name: "Articles" }).waitFor();
  await axe(author, "article list (360 px)");
  await page.goto(`${base}/studio/#/articles?author=maya-chen`);
  await page.getByRole("heading", { name: "Articles" }).waitFor();
  check((await page.locator("ul.rows li a").allTextContents()).includes("Studio massage guide"), "the list filters by credited author");
  await shot(page, "articles");
  await author.goto(`${base}/studio/#/`);
  await author.getByRole("region", { name: "My drafts" }).getByRole("link", { name: "An author's draft" }).waitFor();
  check(true, "an author's home lists their own drafts");
  // A reviewer approves but does not publish or write.
  const reviewerEmail = `reviewer-${Date.now()}@clinic.example`;
  await api("POST", "/api/v1/admin/users", { token: admin, body: { email: reviewerEmail, name: "Rae Reviewer", role: "reviewer", password: "reviewer password 123" } });
  const reviewerContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const reviewer = await newPage(reviewerContext);
  await signIn(reviewer, reviewerEmail, "reviewer password 123");
  check((await reviewer.getByRole("link", { name: "New article" }).count()) === 0, "a reviewer gets no “New article”");
  await reviewer.goto(`${base}/studio/#/articles/${later}`);
  await reviewer.getByRole("heading", { name: "Edit article" }).waitFor();
  check((await reviewer.getByRole("button", { name: "Publish now" }).count()) === 0 && (await reviewer.getByRole("button", { name: "Unpublish" }).count()) === 0, "a reviewer gets no publication buttons");
  // An account disabled meanwhile is sent back to sign-in at its next request.
  const authorId = (await api("GET", "/api/v1/admin/users?per_page=100", { token: admin })).json.data.find((u) => u.email === authorEmail).id;
  const user = await api("GET", `/api/v1/admin/users/${authorId}`, { token: admin });
  await api("PATCH", `/api/v1/admin/users/${authorId}`, { token: admin, body: { disabled: true }, ifMatch: user.etag });
  await author.goto(`${base}/studio/#/articles`);
  await author.getByRole("heading", { name: "Sign in to the studio" }).waitFor();
  check(true, "a disabled account is sent back to sign-in");

  // Collections: massage types reordered; an image in use cannot be deleted; the list screens pass axe.
  await page.goto(`${base}/studio/#/collections/massage-types`);
  await page.getByRole("heading", { name: "Massage types" }).waitFor();
  const lastRow = page.locator("li.item").last();
  const lastName = (await lastRow.locator(".grow").textContent()).trim();
  await lastRow.getByRole("button", { name: "Move up" }).click();
  await page.locator("#news", { hasText: "Moved." }).waitFor();
  const types = (await api("GET", "/api/v1/massage-types")).json.data.map((t) => t.name);
  check(types.at(-2) === lastName, `a massage type moved up (${lastName})`);
  await axe(page, "a collection");
  await shot(page, "collection");
  await page.goto(`${base}/studio/#/library`);
  await page.getByRole("heading", { name: "Media library" }).waitFor();
  page.once("dialog", (d) => d.accept());
  await page.locator("ul.library li").first().getByRole("button", { name: "Delete" }).click();
  await page.locator("#news", { hasText: "Not deleted" }).waitFor();
  check(true, "an image in use is not deleted, and the library says why");
  await axe(page, "media library screen");
  await shot(page, "library");
  await page.goto(`${base}/studio/#/site`);
  await page.getByRole("heading", { name: "Site settings" }).waitFor();
  await page.getByLabel("Front end's base URL").fill("https://clinic.example");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.locator("#news", { hasText: "Settings saved." }).waitFor();
  check((await api("GET", "/api/v1/site")).json.data.base_url === "https://clinic.example", "site settings saved");
  await axe(page, "site settings");

  // Keyboard alone: sign in, open an edit dialog, meet a conflict and choose per field, an FAQ's
  // conflict inline, an image from the library dialog. No mouse from here to the checks.
  const keysContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const keys = await newPage(keysContext);
  await keys.goto(`${base}/studio/`);
  await keys.getByRole("heading", { name: "Sign in to the studio" }).waitFor();
  await tabTo(keys, "Email");
  await keys.keyboard.type(email);
  await tabTo(keys, "Password");
  await keys.keyboard.type(password);
  await keys.keyboard.press("Enter");
  await keys.getByRole("heading", { name: /^Hello/ }).waitFor();
  check(true, "keyboard: signed in with Tab, typing and Enter");
  await keys.goto(`${base}/studio/#/collections/people`);
  await keys.getByRole("heading", { name: "People (author profiles)" }).waitFor();
  await tabTo(keys, "Edit");
  const outline = await keys.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  check(outline !== "none", `keyboard: the focused control is visibly outlined (${outline})`);
  const personName = await keys.evaluate(() => document.activeElement.closest("li").querySelector(".grow").textContent.split(",")[0]);
  await keys.keyboard.press("Enter");
  await keys.getByRole("dialog", { name: /^Edit:/ }).waitFor();
  const person = (await api("GET", "/api/v1/admin/people?per_page=100", { token: admin })).json.data.find((p) => p.name === personName);
  const personNow = await api("GET", `/api/v1/admin/people/${person.id}`, { token: admin });
  const theirs = await api("PATCH", `/api/v1/admin/people/${person.id}`, { token: admin, ifMatch: personNow.etag, body: { credentials: "LMT, theirs", job_title: "Their title" } });
  check(theirs.status === 200, "another editor saves the profile while the dialog is open");
  await tabTo(keys, "Credentials");
  await keys.keyboard.press("Control+A");
  await keys.keyboard.type("LMT, mine");
  await tabTo(keys, "Job title");
  await keys.keyboard.press("Control+A");
  await keys.keyboard.type("Mine, by keyboard");
  await keys.keyboard.press("Enter");
  const merge = keys.getByRole("dialog", { name: "Someone else saved this first" });
  await merge.waitFor();
  await axe(keys, "a collection item's conflict");
  await shot(keys, "conflict-item");
  // The first contested field is Credentials (mine preset): the arrow key takes theirs.
  await keys.keyboard.press("Tab");
  await keys.keyboard.press("ArrowDown");
  const picked = await keys.evaluate(() => ({ value: document.activeElement.value, field: document.activeElement.closest("fieldset")?.dataset.field, checked: document.activeElement.checked }));
  check(picked.field === "credentials" && picked.value === "theirs" && picked.checked, `keyboard: an arrow key chose theirs for one field (${JSON.stringify(picked)})`);
  await tabTo(keys, "Apply my choices");
  await keys.keyboard.press("Enter");
  await keys.locator("#news", { hasText: "Saved." }).waitFor();
  const merged = (await api("GET", `/api/v1/admin/people/${person.id}`, { token: admin })).json.data;
  check(merged.credentials === "LMT, theirs" && merged.job_title === "Mine, by keyboard", `a collection item's 412 merged field by field: their credentials, my job title (${merged.credentials} / ${merged.job_title})`);
  // An FAQ edited inline while another editor changes its answer.
  await keys.goto(`${base}/studio/#/articles/${id}`);
  await keys.getByLabel("Question 1").waitFor();
  const faq = (await api("GET", `/api/v1/admin/faqs?article=${slug}&per_page=100`, { token: admin })).json.data[0];
  const faqNow = await api("GET", `/api/v1/admin/faqs/${faq.id}`, { token: admin });
  await api("PATCH", `/api/v1/admin/faqs/${faq.id}`, { token: admin, ifMatch: faqNow.etag, body: { answer: { markdown: "Their answer: 50 minutes." } } });
  await tabTo(keys, "Question 1");
  await keys.keyboard.press("End");
  await keys.keyboard.type(" And how often?");
  const faqMerge = keys.getByRole("dialog", { name: "Someone else saved this FAQ first" });
  await faqMerge.waitFor({ timeout: 15000 });
  await tabTo(keys, "Apply my choices");
  await keys.keyboard.press("Enter");
  await keys.locator(".faq-panel .hint", { hasText: "Saved" }).waitFor();
  const faqAfter = (await api("GET", `/api/v1/admin/faqs/${faq.id}`, { token: admin })).json.data;
  check(faqAfter.question === "How long is a session? And how often?" && faqAfter.answer.markdown === "Their answer: 50 minutes.", "an FAQ's 412 merged: my question, their answer");
  // An FAQ answer typed and the tab closed at once (before its save): the text comes back and is saved.
  await tabTo(keys, "Answer 1 (Markdown)");
  await keys.keyboard.press("End");
  await keys.keyboard.type(" Kept.");
  await keys.close();
  const keysAgain = await newPage(keysContext);
  await keysAgain.goto(`${base}/studio/#/articles/${id}`);
  await keysAgain.locator(".faq-panel .hint", { hasText: "Saved" }).waitFor({ timeout: 15000 });
  const faqKept = (await api("GET", `/api/v1/admin/faqs/${faq.id}`, { token: admin })).json.data;
  check(faqKept.answer.markdown === "Their answer: 50 minutes. Kept.", `an FAQ answer typed just before the tab closed is restored and saved (${faqKept.answer.markdown})`);
  // Another FAQ added and moved to the top, by keyboard; the server makes room.
  await tabTo(keysAgain, "New question");
  await keysAgain.keyboard.type("Can I shower after a massage?");
  await tabTo(keysAgain, "New answer (Markdown)");
  await keysAgain.keyboard.type("Yes, after an hour.");
  await tabTo(keysAgain, "Add FAQ");
  await keysAgain.keyboard.press("Enter");
  await keysAgain.getByLabel("Question 2").waitFor();
  await tabTo(keysAgain, "Move up", { back: true });
  await keysAgain.keyboard.press("Enter");
  await keysAgain.locator("input[name$='-question']").first().and(keysAgain.locator(`input[value^="Can I shower"]`)).waitFor();
  const order = (await api("GET", `/api/v1/articles/${slug}`)).json.data.faqs.map((f) => f.question);
  check(order[0] === "Can I shower after a massage?" && order[1] === "How long is a session? And how often?", `keyboard: an FAQ moved up lands first (${order.join(" | ")})`);
  // An FAQ deleted by someone else while I type in it: my text is offered back, and added again.
  await tabTo(keysAgain, "Answer 1 (Markdown)");
  await keysAgain.keyboard.type(" Drink water first.");
  const doomed = (await api("GET", `/api/v1/admin/faqs?article=${slug}&per_page=100`, { token: admin })).json.data.find((f) => f.question.startsWith("Can I shower"));
  await api("DELETE", `/api/v1/admin/faqs/${doomed.id}`, { token: admin, ifMatch: `"v${doomed.version}"` });
  const orphan = keysAgain.getByRole("alert").filter({ hasText: "someone else deleted" });
  await orphan.waitFor({ timeout: 15000 });
  await orphan.getByRole("button", { name: "Add it again" }).click();
  await keysAgain.locator("#news", { hasText: "FAQ added again." }).waitFor();
  const readded = (await api("GET", `/api/v1/admin/faqs?article=${slug}&per_page=100`, { token: admin })).json.data.some((f) => f.answer.markdown === "Yes, after an hour. Drink water first.");
  check(readded, "an FAQ deleted while I typed: my text offered back and added again");
  // The media dialog: an image chosen and inserted with the keyboard.
  await tabTo(keysAgain, "Image");
  await keysAgain.keyboard.press("Enter");
  const keyMedia = keysAgain.getByRole("dialog", { name: "Insert an image" });
  await keyMedia.getByRole("button", { name: /A therapist easing/ }).waitFor();
  await tabTo(keysAgain, /A therapist easing/);
  await keysAgain.keyboard.press("Enter");
  await tabTo(keysAgain, "Use this image");
  await keysAgain.keyboard.press("Enter");
  await saved(keysAgain);
  const images = ((await api("GET", `/api/v1/admin/articles/${id}`, { token: admin })).json.data.body.markdown.match(/\]\(media:\d+\)/g) || []).length;
  check(images === 2, `keyboard: an image chosen in the media dialog and inserted (${images} images in the body)`);
  // Escape closes a dialog and gives the keyboard back to the page.
  await tabTo(keysAgain, "Revisions");
  await keysAgain.keyboard.press("Enter");
  await keysAgain.getByRole("dialog", { name: "Revisions" }).waitFor();
  await keysAgain.keyboard.press("Escape");
  await keysAgain.getByRole("dialog", { name: "Revisions" }).waitFor({ state: "detached" });
  check(true, "keyboard: Escape closes the revisions dialog");

  // Every other screen: axe, and nothing wider than a phone at 360 px.
  const phone = await newPage(await browser.newContext({ viewport: { width: 360, height: 800 } }));
  await signIn(phone);
  for (const [hash, heading] of [["#/content", "Content and settings"], ["#/collections/treatments", "Treatments"], ["#/collections/tags", "Tags"], ["#/collections/faqs", "FAQs"], ["#/collections/people", "People (author profiles)"], ["#/collections/users", "Users and roles"], ["#/collections/redirects", "Redirects"], ["#/collections/webhooks", "Webhooks"], ["#/activity", "Activity"], ["#/articles", "Articles"], ["#/library", "Media library"]]) {
    await page.goto(`${base}/studio/${hash}`);
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    await axe(page, `${heading} (1440 px)`);
    await phone.goto(`${base}/studio/${hash}`);
    await phone.getByRole("heading", { name: heading, exact: true }).waitFor();
    const wider = await phone.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    check(wider <= 1, `${heading} fits 360 px (${wider} px too wide)`);
  }
  await page.goto(`${base}/studio/#/collections/people`);
  await page.getByRole("button", { name: "Edit" }).first().click();
  await page.getByRole("dialog", { name: /^Edit:/ }).waitFor();
  await axe(page, "a collection item's edit dialog");
  await page.keyboard.press("Escape");
  await page.goto(`${base}/studio/#/collections/webhooks`);
  await page.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();
  await page.getByLabel("URL (https://…)").fill("https://hooks.example.org/clinic");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator(".banner", { hasText: "The signing secret, shown this once" }).waitFor();
  const hook = (await api("GET", "/api/v1/admin/webhooks", { token: admin })).json.data.find((w) => w.url === "https://hooks.example.org/clinic");
  check(hook?.enabled === true && JSON.stringify(hook?.events) === '["*"]', `a webhook added in the studio is enabled and gets every public event by default (${JSON.stringify(hook?.events)}, enabled ${hook?.enabled})`);
  await page.getByRole("button", { name: "Delivery log" }).first().click();
  await page.getByRole("dialog", { name: /^Deliveries to/ }).waitFor();
  await axe(page, "a webhook's delivery log");
  await page.keyboard.press("Escape");

  // The sample article (the largest, two tables): opening it, then typing in it. Figures only
  // (speed targets live in benchmarks, not in checks).
  await page.goto(`${base}/studio/#/articles`);
  await page.getByRole("heading", { name: "Articles" }).waitFor();
  const openSample = await page.evaluate(async () => {
    const start = performance.now();
    location.hash = "#/articles/1";
    while (document.querySelectorAll(".preview table").length < 2) await new Promise((r) => requestAnimationFrame(r));
    return Math.round(performance.now() - start);
  });
  await page.evaluate(() => {
    window.__slow = [];
    new PerformanceObserver((list) => window.__slow.push(...list.getEntries().map((e) => e.duration))).observe({ type: "event", durationThreshold: 16, buffered: false });
    window.__long = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
  });
  await page.getByLabel("Body (Markdown)").press("End");
  await page.keyboard.type(" Forty characters typed into the sample.", { delay: 15 });
  await saved(page);
  const typing = await page.evaluate(() => ({ slowEvents: window.__slow.filter((d) => d >= 50).length, worstEvent: Math.round(Math.max(0, ...window.__slow)), longTasks: window.__long.length, worstTask: Math.round(Math.max(0, ...window.__long)) }));
  console.log(`figure: opening the sample article (editor, both tables in the preview) took ${openSample} ms; typing 40 characters into it: worst keystroke to next paint ${typing.worstEvent} ms, ${typing.slowEvents} over 50 ms, ${typing.longTasks} long task(s) (worst ${typing.worstTask} ms)`);

  check(offOrigin.length === 0, `no request to another origin${offOrigin.length ? `: ${offOrigin.slice(0, 3)}` : ""}`);
  check(cspViolations.length === 0, `no Content-Security-Policy violation${cspViolations.length ? `: ${cspViolations[0]}` : ""}`);
  check(pageErrors.length === 0, `no script error${pageErrors.length ? `: ${pageErrors[0]}` : ""}`);
} catch (err) {
  check(false, `the studio suite stopped: ${err.stack || err}`);
  for (const context of browser.contexts())
    for (const [n, p] of context.pages().entries()) {
      console.log(`page ${n} at ${p.url()}: news “${await p.locator("#news").textContent().catch(() => "")}” ${(await p.locator("main").textContent().catch(() => "")).slice(0, 300)}`);
      if (shots) await p.screenshot({ path: `${shots}/failure-${n}.png` }).catch(() => {});
    }
} finally {
  await browser.close();
}
console.log(failures ? `${failures} studio check(s) failed` : "studio: every check passed");
process.exit(failures ? 1 : 0);
