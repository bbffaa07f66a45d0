// Browser checks against a running clinic-cms, in Debian's Chromium (scripts/check-browser.sh):
//
// 1. JSON-LD. An editor writes a title, a site name and a FAQ question that
//    try to end the <script> element. The README tells front ends two ways
//    to embed `json_ld`: as it arrives (its bytes hold no `<`, `>` or `&`),
//    or re-serialized with `<` escaped. Both must run no script and read
//    back what the editor wrote. A third page re-serializes it naively: it
//    must run the script, or this check could not tell.
// 2. The docs: Swagger UI renders under its Content-Security-Policy with no
//    violation, no console error, and no request to another origin.
//
// Usage: node check.mjs BASE_URL   (ADMIN_EMAIL, ADMIN_PASSWORD in the environment)

import { chromium } from "playwright-core";

const base = process.argv[2]?.replace(/\/$/, "");
const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = process.env;
if (!base || !email || !password) {
  console.error("usage: ADMIN_EMAIL=... ADMIN_PASSWORD=... node check.mjs BASE_URL");
  process.exit(2);
}
const HOSTILE = 'Massage </script><script>window.__ran = (window.__ran || 0) + 1</script> & <!-- more';

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
};

async function api(method, path, { token, body, ifMatch } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { res, text, json: text ? JSON.parse(text) : null };
}

/** The raw text of the value of `key` in a JSON object's text (the first occurrence at depth 2). */
function rawMember(text, key) {
  const marker = `"${key}":`;
  const start = text.indexOf(marker);
  if (start < 0) throw new Error(`no ${key} in the response`);
  let i = start + marker.length;
  const from = i;
  let depth = 0, inString = false;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth += 1;
    else if (c === "}" || c === "]") {
      depth -= 1;
      if (depth === 0) return text.slice(from, i + 1);
    }
  }
  throw new Error(`unterminated ${key}`);
}

const page = (ld) =>
  `<!doctype html><html><head><title>t</title><script type="application/ld+json">${ld}</script></head><body><p id="ok">ok</p></body></html>`;

async function jsonLdChecks(browser) {
  const login = await api("POST", "/api/v1/auth/login", { body: { email, password } });
  const token = login.json.data.access_token;
  const site = await api("GET", "/api/v1/admin/site", { token });
  await api("PATCH", "/api/v1/admin/site", { token, ifMatch: site.res.headers.get("etag"), body: { name: HOSTILE } });
  const created = await api("POST", "/api/v1/admin/articles", {
    token,
    body: { title: HOSTILE, excerpt: HOSTILE, body: { markdown: "Body." },
      references: [{ title: HOSTILE, url: "https://example.org/?a=1&b=</script>", publisher: HOSTILE }] },
  });
  const slug = created.json.data.slug;
  const id = created.json.data.id;
  // The sample site requires a medical review before publishing.
  for (const step of ["submit", "approve", "publish"]) {
    const done = await api("POST", `/api/v1/admin/articles/${id}/${step}`, { token, body: {} });
    check(done.res.status === 200, `${step}: ${done.res.status}`);
  }
  await api("POST", "/api/v1/admin/faqs", { token, body: { question: HOSTILE, answer: { markdown: "An *answer*." }, article: slug } });

  const read = await api("GET", `/api/v1/articles/${slug}`);
  const raw = rawMember(read.text, "json_ld");
  check(!/[<>&\u2028\u2029]/.test(raw), "the json_ld bytes hold no <, >, & (nor U+2028/U+2029)");
  const parsed = read.json.data.json_ld;
  const ways = {
    "as received": raw,
    "re-serialized with < escaped (the README's one-liner)": JSON.stringify(parsed).replace(/</g, "\\u003c"),
  };
  for (const [way, ld] of Object.entries(ways)) {
    const tab = await browser.newPage();
    const dialogs = [];
    tab.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
    await tab.setContent(page(ld));
    const ran = await tab.evaluate(() => window.__ran || 0);
    const back = await tab.evaluate(() => JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent));
    check(ran === 0 && dialogs.length === 0, `embedded ${way}: no script ran`);
    check(back["@graph"][0].headline === HOSTILE && back["@graph"][0].publisher.name === HOSTILE
      && back["@graph"][0].citation[0].publisher.name === HOSTILE
      && back["@graph"][1]["@type"] === "MedicalWebPage"
      && back["@graph"][2].mainEntity[0].name === HOSTILE, `embedded ${way}: the JSON-LD reads back as written`);
    await tab.close();
  }
  // The control: what the escaping prevents really happens without it.
  const tab = await browser.newPage();
  await tab.setContent(page(JSON.stringify(parsed)));
  check((await tab.evaluate(() => window.__ran || 0)) > 0, "control: naive JSON.stringify embedding does run the script (so the checks above can fail)");
  await tab.close();
}

async function docsChecks(browser) {
  const tab = await browser.newPage();
  const problems = [];
  const origin = new URL(base).origin;
  tab.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  tab.on("request", (r) => { const u = new URL(r.url()); if (!["data:", "blob:"].includes(u.protocol) && u.origin !== origin) problems.push(`request to ${r.url()}`); });
  await tab.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const res = await tab.goto(`${base}/docs/`, { waitUntil: "networkidle" });
  check(res.ok(), "GET /docs/ answers 200");
  check((res.headers()["content-security-policy"] || "").includes("script-src 'self'"), "the docs carry their Content-Security-Policy");
  await tab.waitForSelector(".opblock", { timeout: 15000 }).catch(() => {});
  const operations = await tab.locator(".opblock").count();
  check(operations >= 40, `Swagger UI renders the operations (${operations})`);
  const violations = await tab.evaluate(() => window.__violations);
  check(violations.length === 0, `no CSP violation${violations.length ? ": " + violations.join("; ") : ""}`);
  check(problems.length === 0, `no console error, no request elsewhere${problems.length ? ": " + problems.join("; ") : ""}`);
  await tab.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  await jsonLdChecks(browser);
  await docsChecks(browser);
} finally {
  await browser.close();
}
if (failures > 0) {
  console.error(`${failures} browser check(s) failed`);
  process.exit(1);
}
console.log("browser checks: OK");
