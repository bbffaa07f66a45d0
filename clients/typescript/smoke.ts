// A smoke test of the OpenAPI document as a generated TypeScript client sees it.
//
// `schema.d.ts` is generated from openapi/openapi.json by openapi-typescript
// (scripts/check-clients.sh does it); `openapi-fetch` turns it into a typed
// client. The program is type-checked with `tsc --strict` first, so a change
// of the document that breaks what a front end writes here (a renamed
// operation, path, parameter, field or enum value, a response that lost its
// schema, an undeclared header) fails the check before anything runs. Then it
// runs against a live server and exits non-zero at the first surprise.
//
//   node smoke.js BASE_URL     (ADMIN_EMAIL and ADMIN_PASSWORD in the environment)
//
// It writes: one draft article, created, patched, published and deleted again.

import createClient from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"];
type Block = Schemas["Block"];

// ---------------------------------------------------------------------------
// Contract assertions, checked by tsc only.
//
// The response headers this program reads must be declared in the document
// (a generated client cannot know about a header the document keeps quiet
// about). openapi-typescript gives every response `headers: { [name: string]:
// unknown }` plus one property per declared header; `Declares<...>` is `true`
// only when a header of that name (any case) is declared; otherwise it is a
// message, and assigning `true` to it is a type error that names the
// operation, status and header.

type NamedKeys<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
type ResponseHeaders<
  Op extends keyof operations,
  Status extends keyof operations[Op]["responses"],
> = operations[Op]["responses"][Status] extends { headers: infer H } ? H : never;
type Declares<
  Op extends keyof operations,
  Status extends keyof operations[Op]["responses"] & number,
  Name extends string,
> = Lowercase<Name> extends Lowercase<NamedKeys<ResponseHeaders<Op, Status>> & string>
  ? true
  : `the document does not declare the ${Name} header of ${Op}'s ${Status} response`;

export const headerContract: [
  Declares<"create_article", 201, "Location">,
  Declares<"create_article", 201, "ETag">,
  Declares<"find_admin_article", 200, "ETag">,
  Declares<"update_article", 200, "ETag">,
  Declares<"publish_article", 200, "ETag">,
  Declares<"find_article", 200, "ETag">,
] = [true, true, true, true, true, true];

// ---------------------------------------------------------------------------
// Helpers

class SmokeFailure extends Error {}

let step = "start";

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new SmokeFailure(`${step}: ${message}`);
  }
}

/** The data of a response that must have succeeded with `status`. */
function expectData<T>(
  result: { data?: T; error?: unknown; response: Response },
  status: number,
): T {
  const { response } = result;
  check(
    response.status === status,
    `expected HTTP ${status}, got ${response.status} ${JSON.stringify(result.error ?? null)}`,
  );
  check(result.data !== undefined, "the response has no body");
  return result.data;
}

/** The problem document of a response that must have failed with `status`. */
function expectProblem(
  result: { data?: unknown; error?: Problem; response: Response },
  status: number,
): Problem {
  const { response } = result;
  check(response.status === status, `expected HTTP ${status}, got ${response.status}`);
  const contentType = response.headers.get("content-type") ?? "";
  check(
    contentType.split(";")[0]?.trim() === "application/problem+json",
    `expected Content-Type application/problem+json, got ${JSON.stringify(contentType)}`,
  );
  const problem = result.error;
  check(problem !== undefined, "the error response has no body");
  check(problem.status === status, `problem.status is ${problem.status}, not ${status}`);
  check(typeof problem.title === "string" && problem.title.length > 0, "problem.title is empty");
  check(typeof problem.type === "string" && problem.type.length > 0, "problem.type is empty");
  check(typeof problem.detail === "string", "problem.detail is missing");
  return problem;
}

/** A strong ETag header, e.g. `"v3"`. */
function etagOf(response: Response): string {
  const etag = response.headers.get("etag");
  check(etag !== null, "the response has no ETag header");
  check(/^"[^"]*"$/.test(etag), `ETag ${etag} is not a strong entity tag`);
  return etag;
}

function tableSources(blocks: Block[]): string[] {
  const sources: string[] = [];
  for (const block of blocks) {
    if (block.type === "table" && typeof block.source === "string") {
      sources.push(block.source);
    }
  }
  return sources;
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new SmokeFailure(`${name} is not set`);
  }
  return value;
}

// ---------------------------------------------------------------------------

const SAMPLE_SLUG = "massage-benefits-for-back-pain-and-posture";

async function main(): Promise<void> {
  const base = process.argv[2];
  if (base === undefined || base === "") {
    throw new SmokeFailure("usage: node smoke.js BASE_URL");
  }
  const baseUrl = base.replace(/\/+$/, "");
  const email = env("ADMIN_EMAIL");
  const password = env("ADMIN_PASSWORD");

  const api = createClient<paths>({ baseUrl });

  step = "list articles";
  const list = expectData(
    await api.GET("/api/v1/articles", { params: { query: { per_page: 10, page: 1 } } }),
    200,
  );
  check(list.data.length > 0, "no published article");
  check(list.meta.total >= list.data.length, `meta.total ${list.meta.total} < ${list.data.length} items`);
  check(list.meta.per_page === 10, `meta.per_page is ${list.meta.per_page}`);
  check(
    list.data.some((a) => a.slug === SAMPLE_SLUG),
    `the sample article ${SAMPLE_SLUG} is not listed`,
  );

  step = "read the sample article";
  const sample = expectData(
    await api.GET("/api/v1/articles/{slug}", { params: { path: { slug: SAMPLE_SLUG } } }),
    200,
  ).data;
  check(sample.slug === SAMPLE_SLUG, `slug is ${sample.slug}`);
  check(sample.title.length > 0, "title is empty");
  check(sample.massage_types.length > 0, "massage_types is empty");
  check(sample.treatments.length > 0, "treatments is empty");
  for (const m of sample.massage_types) {
    check(m.slug.length > 0 && m.name.length > 0, `massage type ${JSON.stringify(m)} lacks slug or name`);
  }
  for (const t of sample.treatments) {
    check(t.slug.length > 0 && t.name.length > 0, `treatment ${JSON.stringify(t)} lacks slug or name`);
  }
  check(sample.body.markdown.length > 0 && sample.body.html.length > 0, "body.markdown or body.html is empty");
  const sources = tableSources(sample.body.blocks);
  check(
    sources.includes("massage-types") && sources.includes("treatments"),
    `body.blocks should embed both tables, found table sources ${JSON.stringify(sources)}`,
  );

  step = "read the reusable tables";
  const massageTypes = expectData(await api.GET("/api/v1/massage-types"), 200);
  check(massageTypes.data.length > 0, "GET /massage-types is empty");
  const treatments = expectData(await api.GET("/api/v1/treatments"), 200);
  check(treatments.data.length > 0, "GET /treatments is empty");

  step = "log in";
  const login = expectData(
    await api.POST("/api/v1/auth/login", { body: { email, password } }),
    200,
  ).data;
  check(login.token_type === "Bearer", `token_type is ${login.token_type}`);
  check(login.access_token.length > 0, "access_token is empty");
  check(login.user.role === "admin", `the user logged in is ${login.user.role}, not admin`);

  const admin = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${login.access_token}` },
  });
  // The server takes application/json too, so make sure the patches below
  // really go out as JSON merge patches.
  admin.use({
    onRequest({ request }) {
      if (request.method === "PATCH") {
        const contentType = request.headers.get("content-type");
        check(
          contentType === "application/merge-patch+json",
          `PATCH sent with Content-Type ${JSON.stringify(contentType)}`,
        );
      }
      return undefined;
    },
  });

  step = "create a draft";
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const draftInput: Schemas["ArticleCreate"] = {
    title: `Smoke test ${stamp}`,
    excerpt: "Written by the client smoke test.",
    body: { markdown: "## Smoke\n\nA paragraph with **strong** text.\n\n{{massage-types}}" },
    tags: sample.tags.map((t) => t.slug),
    massage_types: sample.massage_types.map((m) => m.slug),
  };
  const created = await admin.POST("/api/v1/admin/articles", { body: draftInput });
  const draft = expectData(created, 201).data;
  check(draft.status === "draft", `status is ${draft.status}, not draft`);
  check(draft.title === draftInput.title, `title is ${draft.title}`);
  check(draft.massage_types.length === sample.massage_types.length, "massage_types were not linked");
  const location = created.response.headers.get("location");
  check(location !== null && location.endsWith(`/api/v1/admin/articles/${draft.id}`), `Location is ${location}`);
  check(etagOf(created.response) === `"v${draft.version}"`, "the 201's ETag is not the draft's version");

  step = "a draft is not public";
  expectProblem(
    await api.GET("/api/v1/articles/{slug}", { params: { path: { slug: draft.slug } } }),
    404,
  );

  step = "read the draft's ETag";
  const read = await admin.GET("/api/v1/admin/articles/{id}", { params: { path: { id: draft.id } } });
  const readBack = expectData(read, 200).data;
  const firstEtag = etagOf(read.response);
  check(firstEtag === `"v${readBack.version}"`, `ETag ${firstEtag} is not "v${readBack.version}"`);

  step = "patch with If-Match";
  const newExcerpt = `Patched by the client smoke test ${stamp}.`;
  const patched = await admin.PATCH("/api/v1/admin/articles/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": firstEtag } },
    body: { excerpt: newExcerpt },
    headers: { "Content-Type": "application/merge-patch+json" },
  });
  const afterPatch = expectData(patched, 200).data;
  check(afterPatch.excerpt === newExcerpt, `excerpt is ${JSON.stringify(afterPatch.excerpt)}`);
  check(afterPatch.version > readBack.version, `version did not increase (${afterPatch.version})`);
  const patchedEtag = etagOf(patched.response);
  check(patchedEtag === `"v${afterPatch.version}"`, `ETag ${patchedEtag} is not "v${afterPatch.version}"`);

  step = "publish refused before the medical review (the sample site requires one)";
  const early = await admin.POST("/api/v1/admin/articles/{id}/publish", { params: { path: { id: draft.id } } });
  check(early.response.status === 409, `publish before review gave ${early.response.status}, not 409`);

  step = "submit for review, approve";
  const submitted = expectData(
    await admin.POST("/api/v1/admin/articles/{id}/submit", {
      params: { path: { id: draft.id } },
      body: { note: "Smoke test" },
    }),
    200,
  ).data;
  check(submitted.workflow.state === "in_review", `state is ${submitted.workflow.state}, not in_review`);
  const approved = expectData(
    await admin.POST("/api/v1/admin/articles/{id}/approve", {
      params: { path: { id: draft.id } },
      body: { reviewed_by: "ana-ruiz" },
    }),
    200,
  ).data;
  check(approved.workflow.state === "approved", `state is ${approved.workflow.state}, not approved`);

  step = "publish";
  const published = expectData(
    await admin.POST("/api/v1/admin/articles/{id}/publish", { params: { path: { id: draft.id } } }),
    200,
  ).data;
  check(published.status === "published", `status is ${published.status}, not published`);
  check(typeof published.published_at === "string", "published_at is not set");

  step = "read it back through the public API";
  const fetched = await api.GET("/api/v1/articles/{slug}", { params: { path: { slug: draft.slug } } });
  const article = expectData(fetched, 200).data;
  check(article.id === draft.id, `id is ${article.id}, not ${draft.id}`);
  check(article.title === draftInput.title, `title is ${article.title}`);
  check(article.review.reviewed_by?.slug === "ana-ruiz", "the review's reviewer is not ana-ruiz");
  check(article.json_ld["@graph"].some((node) => node["@type"] === "MedicalWebPage"), "no MedicalWebPage");
  check(article.excerpt === newExcerpt, `excerpt is ${JSON.stringify(article.excerpt)}`);
  check(article.massage_types.length > 0, "massage_types is empty");
  check(tableSources(article.body.blocks).includes("massage-types"), "the embedded table is missing from body.blocks");
  etagOf(fetched.response);

  step = "patch with a stale If-Match";
  const stale = await admin.PATCH("/api/v1/admin/articles/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": firstEtag } },
    body: { excerpt: "This must not be written." },
    headers: { "Content-Type": "application/merge-patch+json" },
  });
  expectProblem(stale, 412);

  step = "the stale patch changed nothing";
  const current = await admin.GET("/api/v1/admin/articles/{id}", { params: { path: { id: draft.id } } });
  const unchanged = expectData(current, 200).data;
  check(unchanged.excerpt === newExcerpt, `excerpt is ${JSON.stringify(unchanged.excerpt)}`);

  step = "delete the article";
  const deleted = await admin.DELETE("/api/v1/admin/articles/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": etagOf(current.response) } },
  });
  check(deleted.response.status === 204, `expected HTTP 204, got ${deleted.response.status}`);
  expectProblem(
    await api.GET("/api/v1/articles/{slug}", { params: { path: { slug: draft.slug } } }),
    404,
  );

  console.log(`smoke: OK (article ${draft.id} created, patched, published, read, refused a stale patch, deleted)`);
}

main().catch((error: unknown) => {
  if (error instanceof SmokeFailure) {
    console.error(`smoke: FAILED: ${error.message}`);
  } else {
    console.error(`smoke: FAILED at "${step}":`, error);
  }
  process.exitCode = 1;
});
