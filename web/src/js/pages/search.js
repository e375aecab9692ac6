// search.js — event search: the query language of the store (parsed by the server into a
// query tree, never SQL), a time range, a histogram of the matches over it, the events,
// and for a chosen event its fields, each value a pivot that narrows the query. Saved
// searches are kept on the server, per account (/api/v1/searches), so they follow the
// analyst from one workstation to another.
import { api, can, qs, session } from "../api.js";
import { el, mount, table, toast, when } from "../dom.js";
import { t } from "../i18n.js";
import { bars, bucketLabels, canvasBox } from "./charts.js";

const ranges = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };

const NAME_MAX = 100; // characters of a saved search's name (the server refuses more)

/** A name for a search saved without one: its query, cut to NAME_MAX characters. */
function nameOf(query) { return Array.from(query).slice(0, NAME_MAX).join(""); }

/** Moves the searches an older console kept in this browser's localStorage to the
 *  server, once (the oldest first, so the newest stays on top). */
async function moveLocal() {
  const key = "vigil.saved." + (session.info ? session.info.user : "");
  let old = null;
  try { old = JSON.parse(localStorage.getItem(key)); } catch (_) { old = null; }
  if (!Array.isArray(old)) return;
  for (const s of old.slice().reverse())
    if (s && typeof s.q === "string" && s.q.trim())
      await api("POST", "/searches", { name: nameOf(s.q.trim()), query: s.q.trim() }).catch(() => {});
  localStorage.removeItem(key);
}

/** Fills box with the account's saved searches: each a link that runs it over range,
 *  and a × that deletes it. Every name and query goes in as text. */
async function drawSaved(box, range) {
  let list = [];
  try { list = await api("GET", "/searches"); } catch (_) { list = []; }
  const del = (s) => async () => {
    try {
      await api("POST", `/searches/${encodeURIComponent(s.id)}/delete`);
      toast(t("search_deleted", { name: s.name }));
    } catch (e) { toast(e.message); }
    drawSaved(box, range);
  };
  box.hidden = !list.length;
  mount(box, t("saved_searches") + ": ", list.map((s) => el("span", { class: "saved-search", dataset: { id: s.id } },
    el("a", { class: "pivot", title: s.query, href: "#/search?" + new URLSearchParams({ q: s.query, range }).toString() }, s.name),
    el("button", { type: "button", class: "unsave", title: t("delete_search"), "aria-label": t("delete_search"),
      on: { click: del(s) } }, "×"), "  ")));
}

function quote(v) { return /^[\w.:\-\/@]+$/.test(v) ? v : `"${String(v).replace(/["\\]/g, "\\$&")}"`; }

function fieldsOf(ev) {
  const out = [["host", ev.host], ["decoder", ev.decoder]];
  for (const [k, v] of Object.entries(ev.fields || {}))
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  return out.filter(([, v]) => v !== null && v !== undefined && v !== "");
}

/** Runs the query in the hash (q, range) and draws the results. */
export async function searchPage(root, params) {
  const q = params.get("q") || "";
  const range = ranges[params.get("range")] ? params.get("range") : "24h";
  const go = (nq, nr) => { location.hash = "#/search?" + new URLSearchParams({ q: nq, range: nr || range }).toString(); };
  const input = el("input", { type: "search", id: "query", value: q, placeholder: t("query") });
  const pick = el("select", { id: "search-range" }, Object.keys(ranges).map((r) => el("option", { value: r, selected: r === range }, t("range_" + r))));
  const savedBox = el("div", { class: "note", id: "saved", hidden: true });
  const nameInput = el("input", { type: "text", id: "search-name", maxlength: NAME_MAX, placeholder: t("search_name") });
  const saveSearch = async () => {
    const query = input.value.trim();
    if (!query) return;
    const name = nameInput.value.trim() || nameOf(query);
    try {
      await api("POST", "/searches", { name, query });
      toast(t("search_saved", { name }));
      nameInput.value = "";
    } catch (e) { toast(e.message); }
    drawSaved(savedBox, pick.value);
  };
  const form = el("form", { class: "toolbar", id: "search-form" }, el("h1", {}, t("nav_search")), input, pick,
    el("button", { class: "primary", type: "submit", id: "run" }, t("run")), nameInput,
    el("button", { type: "button", id: "save-search", on: { click: saveSearch } }, t("save_search")));
  form.addEventListener("submit", (e) => { e.preventDefault(); go(input.value, pick.value); });
  moveLocal().then(() => drawSaved(savedBox, range));
  const side = el("div", {});
  mount(root, form, savedBox, el("p", { class: "note" }, "…"));
  const now = Date.now() * 1e6;
  const span = { q, from: new Date((now - ranges[range] * 1e9) / 1e6).toISOString(), to: new Date(now / 1e6).toISOString() };
  let r;
  try {
    r = await api("GET", "/search" + qs({ ...span, limit: 200 }));
  } catch (e) {
    mount(root, form, savedBox, el("p", { class: "error", id: "search-error" }, e.message));
    return;
  }
  const rows = r.events.map((ev) => [when(ev.time), ev.host || "-", ev.decoder || "-", el("td", { class: "raw" }, ev.raw)]);
  const show = (ev) => mount(side, el("div", { class: "panel", id: "event-fields" }, el("h2", {}, t("fields")),
    el("table", { class: "fields" }, el("tbody", {}, fieldsOf(ev).map(([k, v]) => el("tr", {}, el("td", {}, k),
      el("td", {}, el("a", { class: "pivot", title: t("pivot"), dataset: { field: k },
        on: { click: () => go((q ? q + " AND " : "") + `${k}:${quote(v)}`) } }, String(v)))))))));
  const note = el("span", { class: "note", id: "search-note" }, r.more ? t("more") : "");
  const exportAs = (format) => el("button", { id: "export-" + format, type: "button",
    on: { click: () => { window.location.assign("/api/v1/search/export" + qs({ ...span, format })); } } },
    t("export") + " " + format.toUpperCase());
  mount(root, form, savedBox,
    el("div", { class: "panel" }, el("h2", {}, t("results", { n: r.count }), " ", note,
      can("export") ? [" ", exportAs("csv"), " ", exportAs("jsonl")] : null), canvasBox("chart-search")),
    el("div", { class: "split" }, el("div", { class: "panel", id: "results" },
      table([t("time"), t("host"), t("decoder"), t("raw")], rows, (i) => ({ class: "clickable event-row",
        on: { click: () => show(r.events[i]) } }))), side));
  // the histogram counts for up to a second over a large store: the events come first
  const h = (await api("GET", "/search" + qs({ ...span, limit: 1, histogram: 1 }))).histogram;
  if (h.capped) note.textContent += " " + t("capped", { t: when(h.counted_from) });
  bars("chart-search", bucketLabels(h.from, h.bucket_ns, h.counts.length), [{ label: t("events"), data: h.counts, colour: "#3fa7ff" }]);
}
