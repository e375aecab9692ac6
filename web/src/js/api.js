// api.js — the console's calls to /api/v1: JSON in and out, the session cookie sent by
// the browser (HttpOnly: scripts never see it), the CSRF token echoed on every change.

export const session = { info: null };

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

/** Calls the API; resolves to the JSON answer, rejects with ApiError. */
export async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && session.info && session.info.csrf) headers["X-CSRF-Token"] = session.info.csrf;
  const r = await fetch("/api/v1" + path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let j = null;
  try { j = await r.json(); } catch (_) { j = null; }
  if (!r.ok) {
    if (r.status === 401 && path !== "/login" && session.info) {
      session.info = null;
      window.dispatchEvent(new Event("vigil:signed-out"));
    }
    throw new ApiError(r.status, j);
  }
  if (j && j.csrf) session.info = j;
  return j;
}

/** True when the signed-in session holds permission p. */
export function can(p) {
  return !!(session.info && session.info.permissions && session.info.permissions.includes(p));
}

/** Query string from an object (empty values left out). */
export function qs(o) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== "") u.set(k, v);
  const s = u.toString();
  return s ? "?" + s : "";
}
