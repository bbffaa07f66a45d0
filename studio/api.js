// The studio's one way to the server: the public and admin HTTP API any
// client uses. The access token lives in memory only; the refresh token is
// an HttpOnly cookie the server set, turned by /auth/cookie/refresh with the
// CSRF value (kept in memory, or read back from the clinic_csrf cookie after
// a reload).

const API = "/api/v1";
let access = null;
let csrf = null;
let user = null;
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function currentUser() {
  return user;
}

/** Calls `fn(user)` whenever the session starts or ends (null). */
export function onSession(fn) {
  listeners.add(fn);
}

function setSession(data) {
  access = data?.access_token || null;
  csrf = data?.csrf_token || null;
  user = data?.user || null;
  for (const fn of listeners) fn(user);
}

function csrfCookie() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("clinic_csrf="));
  return found ? decodeURIComponent(found.slice("clinic_csrf=".length)) : null;
}

export async function signIn(email, password) {
  const res = await fetch(`${API}/auth/cookie/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
    credentials: "same-origin",
  });
  const body = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, body);
  setSession(body.data);
  return body.data.user;
}

/** A new access token from the cookie's session; false when there is none. */
export function resume() {
  if (!refreshing) {
    refreshing = (async () => {
      // One tab refreshes at a time: the cookie is the browser's, and a
      // refresh token presented twice ends the session (reuse detection).
      const refresh = async () => {
        const token = csrf || csrfCookie();
        if (!token) return false;
        const res = await fetch(`${API}/auth/cookie/refresh`, {
          method: "POST",
          headers: { "X-CSRF-Token": token },
          credentials: "same-origin",
        });
        if (!res.ok) {
          setSession(null);
          return false;
        }
        setSession((await readJson(res)).data);
        return true;
      };
      return navigator.locks ? navigator.locks.request("clinic-studio-refresh", refresh) : refresh();
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export async function signOut() {
  const token = csrf || csrfCookie();
  if (token) {
    await fetch(`${API}/auth/cookie/logout`, {
      method: "POST",
      headers: { "X-CSRF-Token": token },
      credentials: "same-origin",
    }).catch(() => {});
  }
  setSession(null);
}

async function readJson(res) {
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  return type.includes("json") ? res.json() : null;
}

/**
 * A request with the access token; an expired one is renewed once,
 * silently. Resolves to {data, meta, etag, status}; throws ApiError.
 */
export async function request(method, path, { body, etag, signal } = {}) {
  const send = () => {
    const headers = {};
    if (access) headers.Authorization = `Bearer ${access}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-Match"] = etag;
    return fetch(`${API}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "same-origin",
    });
  };
  let res = await send();
  if (res.status === 401 && (await resume())) res = await send();
  const json = await readJson(res);
  if (res.status === 401) setSession(null);
  if (!res.ok) throw new ApiError(res.status, json);
  return { data: json?.data, meta: json?.meta, etag: res.headers.get("ETag"), status: res.status };
}

export const get = (path, options) => request("GET", path, options);
export const post = (path, body, options) => request("POST", path, { ...options, body });
export const patch = (path, body, etag) => request("PATCH", path, { body, etag });
export const del = (path, etag) => request("DELETE", path, { etag });

const blobs = new Map();
/** An object URL of an image fetched with the access token (editors see unpublished files). */
export function authorizedBlobUrl(url) {
  if (!blobs.has(url)) {
    const fetched = (async () => {
      let res = await fetch(url, { headers: { Authorization: `Bearer ${access}` } });
      if (res.status === 401 && (await resume())) res = await fetch(url, { headers: { Authorization: `Bearer ${access}` } });
      if (!res.ok) throw new ApiError(res.status, null);
      return URL.createObjectURL(await res.blob());
    })();
    fetched.catch(() => blobs.delete(url));
    blobs.set(url, fetched);
  }
  return blobs.get(url);
}

/** Uploads a file to the media library, reporting progress (0..1). */
export function upload(file, fields, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API}/admin/media`);
    if (access) xhr.setRequestHeader("Authorization", `Bearer ${access}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      const json = JSON.parse(xhr.responseText || "null");
      if (xhr.status >= 200 && xhr.status < 300) resolve(json.data);
      else reject(new ApiError(xhr.status, json));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: "the upload failed: no connection" }));
    xhr.send(form);
  });
}

/** What a role may do, as the server's permission matrix says (the server still decides). */
export function may(action) {
  const role = user?.role;
  switch (action) {
    case "publish":
      return role === "editor" || role === "admin";
    case "review":
      return role === "reviewer" || role === "admin" || role === "editor";
    case "write":
      return role !== "reviewer";
    case "administer":
      return role === "admin";
    default:
      return false;
  }
}
