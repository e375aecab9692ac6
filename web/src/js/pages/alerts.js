// alerts.js — the alert queue: filtered by severity and status, grouped by rule on demand,
// selected one by one or all at once, taken (assigned to oneself), acknowledged,
// escalated or closed with a reason;
// a row opens the alert's detail with its entities, each a link to its history in search.
import { api, can, qs, session } from "../api.js";
import { el, level, mount, table, toast, when } from "../dom.js";
import { t } from "../i18n.js";

let selected = new Set();

function askReason(action) {
  return new Promise((resolve) => {
    const input = el("textarea", { id: "reason", rows: "3", cols: "40" });
    const err = el("p", { class: "error" });
    const dlg = el("dialog", { id: "reason-dialog" },
      el("form", { method: "dialog" }, el("h2", {}, t(action)), el("label", { for: "reason" }, t("reason")), input, err,
        el("p", {}, el("button", { value: "cancel", type: "button", on: { click: () => { dlg.close(); resolve(null); } } }, t("cancel")),
          " ", el("button", { class: "primary", id: "reason-ok", type: "button", on: { click: () => {
            if (action === "close" && !input.value.trim()) { err.textContent = t("reason_required"); return; }
            dlg.close(); resolve(input.value.trim());
          } } }, t(action)))));
    document.body.append(dlg);
    dlg.addEventListener("close", () => dlg.remove());
    dlg.showModal();
    input.focus();
  });
}

async function take(ids, redraw) {
  let ok = 0;
  for (const id of ids) {
    try { await api("POST", `/alerts/${id}/assign`, { assignee: session.info.user }); ok++; }
    catch (e) { toast(e.message); }
  }
  toast(`${t("done")}: ${ok}`);
  selected = new Set();
  redraw();
}

/** Rows grouped by rule: one line per rule with its alerts' count, hits and newest. */
function grouped(list, open) {
  const by = new Map();
  for (const a of list) {
    const g = by.get(a.rule_id) || { a, alerts: 0, hits: 0, last: a.last_seen };
    g.alerts++;
    g.hits += a.count;
    if (a.last_seen > g.last) g.last = a.last_seen;
    by.set(a.rule_id, g);
  }
  const groups = [...by.values()].sort((x, y) => y.hits - x.hits);
  return table([t("level"), t("title"), t("alerts"), t("hits"), t("last_seen")],
    groups.map((g) => [level(g.a.level), g.a.title, String(g.alerts), String(g.hits), when(g.last)]),
    (i) => ({ class: "clickable group-row", on: { click: () => open(groups[i].a.rule_id) } }));
}

async function act(action, ids, redraw) {
  const reason = await askReason(action);
  if (reason === null) return;
  const status = { acknowledge: "acknowledged", escalate: "escalated", close: "closed" }[action];
  let ok = 0;
  const errors = [];
  for (const id of ids) {
    try { await api("POST", `/alerts/${id}/status`, { status, reason }); ok++; }
    catch (e) { errors.push(e.message); }
  }
  toast(`${t("done")}: ${ok}` + (errors.length ? ` — ${errors[0]}` : ""));
  selected = new Set();
  redraw();
}

function entity(field, value) {
  if (!value) return "-";
  const q = `${field}:"${String(value).replace(/["\\]/g, "\\$&")}"`;
  return el("a", { class: "pivot", href: "#/search?" + new URLSearchParams({ q, range: "7d" }).toString() }, value);
}

/** The events behind alert a: searched by its first entity around its time span, kept
 *  when their id is one of the alert's. */
async function eventsOf(a, box) {
  const ids = new Set(a.event_ids || []);
  const ent = [["src_ip", a.src_ip], ["host", a.host], ["user", a.user], ["dst_ip", a.dst_ip]].find(([, v]) => v);
  if (!ids.size || !ent) return;
  const from = new Date(new Date(a.first_seen).getTime() - 1000).toISOString();
  const to = new Date(new Date(a.last_seen).getTime() + 1000).toISOString();
  const q = `${ent[0]}:"${String(ent[1]).replace(/["\\]/g, "\\$&")}"`;
  try {
    const r = await api("GET", "/search" + qs({ q, from, to, limit: 1000 }));
    const rows = r.events.filter((e) => ids.has(e.id));
    mount(box, el("h2", {}, t("events")), rows.length ? table([t("time"), t("host"), t("raw")],
      rows.map((e) => [when(e.time), e.host || "-", el("td", { class: "raw" }, e.raw)])) : el("p", { class: "note" }, t("none")));
  } catch (_) { /* search is another permission: the ids stay shown */ }
}

function detail(a) {
  const rows = [["id", a.id], [t("title"), a.title], [t("level"), level(a.level)], [t("status"), t("status_" + a.status)],
    [t("first_seen"), when(a.first_seen)], [t("last_seen"), when(a.last_seen)], [t("count"), String(a.count)],
    [t("risk"), a.risk === null ? "-" : String(a.risk)], [t("assignee"), a.assignee || "-"],
    [t("src"), entity("src_ip", a.src_ip)],
    [t("dst"), entity("dst_ip", a.dst_ip)], [t("user_col"), entity("user", a.user)], [t("host"), entity("host", a.host)],
    ["tags", (a.tags || []).join(", ")], [t("reason"), a.status_reason || "-"], ["by", a.status_by || "-"],
    [t("events"), (a.event_ids || []).join(" ")]];
  const events = el("div", { id: "alert-events" });
  if (can("search")) eventsOf(a, events);
  return el("div", { class: "panel", id: "alert-detail" }, el("h2", {}, t("alert_detail")),
    el("table", { class: "fields" }, el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v))))),
    a.src_ip ? el("p", {}, el("a", { class: "pivot", id: "entity-history",
      href: "#/search?" + new URLSearchParams({ q: `src_ip:"${a.src_ip}"`, range: "7d" }).toString() },
      t("entity_history", { v: a.src_ip }))) : null, events);
}

/** Draws the queue. */
export async function alertsPage(root, params) {
  const lvl = params.get("level") || "";
  const st = params.get("status") || "open";
  const group = params.get("group") === "rule";
  const rule = params.get("rule") || "";
  const list = await api("GET", "/alerts" + qs({ limit: 500, level: lvl }));
  const shown = list.filter((a) => (st === "all" || (st === "open" ? a.status !== "closed" : a.status === st)) &&
    (!rule || a.rule_id === rule));
  const side = el("div", {});
  const redraw = () => alertsPage(root, params);
  const go = (k, v) => { const p = new URLSearchParams(params); p.set(k, v); location.hash = "#/alerts?" + p.toString(); };
  const writable = can("alerts.write");
  const count = el("span", { class: "note", id: "selected-count" }, t("selected", { n: selected.size }));
  const tools = el("div", { class: "toolbar" }, el("h1", {}, t("nav_alerts")),
    el("label", {}, t("level")), el("select", { id: "level-filter", on: { change: (e) => go("level", e.target.value) } },
      ["", "low", "medium", "high", "critical"].map((l) => el("option", { value: l, selected: l === lvl }, l || t("any")))),
    el("label", {}, t("status")), el("select", { id: "status-filter", on: { change: (e) => go("status", e.target.value) } },
      ["open", "new", "acknowledged", "escalated", "closed", "all"].map((s) =>
        el("option", { value: s, selected: s === st }, t("status_" + s)))),
    el("label", {}, el("input", { type: "checkbox", id: "group-rule", checked: group,
      on: { change: (e) => { const p = new URLSearchParams(params); p.delete("rule");
        if (e.target.checked) p.set("group", "rule"); else p.delete("group"); location.hash = "#/alerts?" + p.toString(); } } }),
      " " + t("group_by_rule")),
    writable && !group ? [count, ...["acknowledge", "escalate", "close"].map((a) => el("button", { id: "bulk-" + a,
      on: { click: () => selected.size && act(a, [...selected], redraw) } }, t(a))),
      el("button", { id: "bulk-take", on: { click: () => selected.size && take([...selected], redraw) } }, t("take"))] : null);
  if (group) {
    mount(root, tools, el("div", { class: "panel", id: "alert-groups" },
      grouped(shown, (r) => { const p = new URLSearchParams(params); p.delete("group"); p.set("rule", r); location.hash = "#/alerts?" + p.toString(); })));
    return;
  }
  const all = el("input", { type: "checkbox", id: "select-all", on: { change: (e) => {
    selected = new Set(e.target.checked ? shown.map((a) => a.id) : []);
    for (const b of root.querySelectorAll("input.pick")) b.checked = e.target.checked;
    count.textContent = t("selected", { n: selected.size });
  } } });
  const rows = shown.map((a) => [
    writable ? el("td", {}, el("input", { type: "checkbox", class: "pick", checked: selected.has(a.id),
      on: { click: (e) => e.stopPropagation(), change: (e) => {
        if (e.target.checked) selected.add(a.id); else selected.delete(a.id);
        count.textContent = t("selected", { n: selected.size });
      } } })) : "",
    level(a.level), a.title, String(a.count), a.risk === null ? "-" : String(a.risk), a.src_ip || "-", a.dst_ip || "-",
    a.user || "-", a.host || "-", when(a.last_seen), a.assignee || "-", t("status_" + a.status)]);
  const tbl = shown.length ? table([writable ? all : "", t("level"), t("title"), t("count"), t("risk"), t("src"), t("dst"),
    t("user_col"), t("host"), t("last_seen"), t("assignee"), t("status")], rows, (i) => ({ class: "clickable alert-row",
    dataset: { id: shown[i].id }, on: { click: () => mount(side, detail(shown[i])) } })) : el("p", {}, t("no_alerts"));
  mount(root, tools, el("div", { class: "split" }, el("div", { class: "panel", id: "alert-list" }, tbl), side));
}
