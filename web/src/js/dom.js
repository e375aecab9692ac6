// dom.js — building the page without markup strings: every text from the server (and so
// from logs an attacker may have written) goes in as a text node, never as HTML.

/** el("td", {class: "raw"}, "text", childNode, ...): an element with attributes,
 *  listeners (on: {click: fn}) and children (strings become text nodes). */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "value") e.value = v;
    else if (k === "checked") e.checked = !!v;
    else if (k === "href" && !String(v).startsWith("#")) throw new Error("only #links");
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Replaces the children of parent. */
export function mount(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** A table: headers, rows of cells (strings or nodes); rowAttrs(row index) optional. */
export function table(headers, rows, rowAttrs) {
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r, i) => el("tr", rowAttrs ? rowAttrs(i) : {},
      r.map((c) => (c instanceof Node && c.tagName === "TD") ? c : el("td", {}, c))))));
}

/** A level badge. */
export function level(l) {
  const known = ["critical", "high", "medium", "low", "informational"];
  return el("span", { class: "lvl lvl-" + (known.includes(l) ? l : "informational") }, l || "-");
}

/** Time as local "YYYY-MM-DD HH:MM:SS" from an RFC 3339 string or ns number. */
export function when(t) {
  if (t === null || t === undefined) return "-";
  const d = typeof t === "number" ? new Date(t / 1e6) : new Date(t);
  if (isNaN(d)) return String(t);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

let toastTimer;
/** A short message in the corner. */
export function toast(text) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}
