// Unsaved text kept on this device until the server has it: per account
// (another person signing in here never gets it) and per item, with the
// version it was written against (so sending it later meets a 412, not an
// overwrite).

import { currentUser } from "./api.js";

const prefix = () => `studio:${currentUser()?.id}:`;
const key = (kind, id) => `${prefix()}${kind}:${id}`;

export function keep(kind, id, value) {
  try {
    localStorage.setItem(key(kind, id), JSON.stringify({ ...value, at: new Date().toISOString() }));
  } catch {
    // Storage full or refused: the text is still in the form and being sent.
  }
}

export function kept(kind, id) {
  try {
    return JSON.parse(localStorage.getItem(key(kind, id)) || "null");
  } catch {
    return null;
  }
}

/** Every kept copy of a kind: [id, copy] pairs. */
export function keptAll(kind) {
  const start = `${prefix()}${kind}:`;
  return Object.keys(localStorage)
    .filter((k) => k.startsWith(start))
    .map((k) => [k.slice(start.length), kept(kind, k.slice(start.length))])
    .filter(([, copy]) => copy);
}

export function forget(kind, id) {
  try {
    localStorage.removeItem(key(kind, id));
  } catch {
    // Storage refused: nothing was kept there either.
  }
}

/** How many items this account has unsaved text for (a sign-out keeps them). */
export const keptCount = () => Object.keys(localStorage).filter((k) => k.startsWith(prefix())).length;
