// overview.js — the overview: the indicators panel, events and alerts over time, alerts by
// severity, the top rules, sources and targets, open alerts by age, and a map of the
// countries the alerts' sources are in.
import { api, qs } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";
import { bars, bucketLabels, canvasBox, doughnut, levelColours, levels, worldMap } from "./charts.js";

function card(id, label, n, warn) {
  return el("div", { class: warn && n > 0 ? "card warn" : "card", id },
    el("div", { class: "n" }, String(n)), el("div", { class: "l" }, label));
}

function top(title, rows, withTitle) {
  return el("div", { class: "panel" }, el("h2", {}, title),
    table([withTitle ? t("title") : "", t("alerts"), t("hits")],
      rows.map((r) => [withTitle ? (r.title || r.value) : r.value, String(r.alerts), String(r.hits)])));
}

/** Draws the overview for the range in the query (24h by default). */
export async function overviewPage(root, params) {
  const range = params.get("range") || "24h";
  const o = await api("GET", "/overview" + qs({ range }));
  const pick = el("select", { id: "range", on: { change: (e) => { location.hash = "#/overview?range=" + e.target.value; } } },
    ["1h", "24h", "7d", "30d"].map((r) => el("option", { value: r, selected: r === range }, t("range_" + r))));
  const age = o.open_by_age || {};
  mount(root,
    el("div", { class: "toolbar" }, el("h1", {}, t("nav_overview")), el("span", { class: "spacer" }), el("label", {}, t("range")), pick),
    el("div", { class: "cards", id: "indicators" },
      card("ind-open", t("ind_open"), o.open_alerts, true),
      card("ind-weak", t("ind_weak"), o.weak_passwords, true),
      card("ind-terminals", t("ind_terminals"), o.unregistered_terminals, true),
      card("ind-sqli", t("ind_sqli"), o.sql_injection, true),
      card("ind-ddos", t("ind_ddos"), o.ddos, true),
      card("ind-silent", t("ind_silent"), (o.silent_sources || []).length, true)),
    el("div", { class: "grid" },
      el("div", { class: "panel" }, el("h2", {}, t("events_over_time"), " ",
        el("span", { class: "note" }, o.events_over_time.capped ? t("capped", { t: when(o.events_over_time.counted_from) }) : "")), canvasBox("chart-events")),
      el("div", { class: "panel" }, el("h2", {}, t("alerts_over_time")), canvasBox("chart-alerts")),
      el("div", { class: "panel" }, el("h2", {}, t("by_level")), canvasBox("chart-levels")),
      el("div", { class: "panel" }, el("h2", {}, t("open_by_age")), canvasBox("chart-age")),
      el("div", { class: "panel", id: "map-panel" }, el("h2", {}, t("source_countries")), canvasBox("chart-map", true)),
      top(t("top_rules"), o.top_rules || [], true),
      top(t("top_sources"), o.top_sources || []),
      top(t("top_targets"), o.top_targets || []),
      top(t("top_hosts"), o.top_hosts || [])));

  const ev = o.events_over_time;
  const labels = bucketLabels(ev.from, ev.bucket_ns, ev.counts.length);
  bars("chart-events", labels, [{ label: t("events"), data: ev.counts, colour: "#3fa7ff" }]);
  const per = Object.fromEntries(levels.map((l) => [l, new Array(24).fill(0)]));
  for (const b of o.alerts_over_time || []) if (per[b.level] && b.bucket < 24) per[b.level][b.bucket] += b.alerts;
  bars("chart-alerts", bucketLabels(o.from, o.bucket_ns, 24),
    levels.map((l) => ({ label: l, data: per[l], colour: levelColours[l] })), true);
  const present = levels.filter((l) => (o.by_level || {})[l]);
  doughnut("chart-levels", present, present.map((l) => o.by_level[l]), present.map((l) => levelColours[l]));
  const ages = ["under_1h", "1h_to_24h", "1d_to_7d", "over_7d"];
  bars("chart-age", ages.map((a) => t("age_" + a)), [{ label: t("alerts"), data: ages.map((a) => age[a] || 0), colour: "#f76b15" }]);
  await worldMap("chart-map", o.countries);
}
