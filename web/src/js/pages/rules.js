// rules.js — the rules the daemon runs, with their matches and sampled cost (µs per
// event, the rule evaluated alone), each switched off or on by the security
// administrator; and a Sigma rule tried on log lines before deploying it: the server
// decodes each line as the daemon would and says which lines match, and why a rule it
// refused was refused.
import { api, can } from "../api.js";
import { el, level, mount, table, toast } from "../dom.js";
import { t } from "../i18n.js";

const example = `title: Root login failed
id: 5f0c8e5e-0000-4000-8000-000000000001
logsource:
  product: linux
  service: sshd
detection:
  selection:
    user: root
    outcome: failure
  condition: selection
level: high`;

/** The rules that matched most first, then the costliest: where tuning starts. */
function byNoise(rules) {
  return [...rules].sort((a, b) => (b.matches - a.matches) || ((b.cost_ns || 0) - (a.cost_ns || 0)));
}

function loaded(list, redraw) {
  const writable = can("rules.write");
  return el("div", { class: "panel", id: "rule-list" }, el("h2", {}, t("loaded_rules", { n: list.rules.length, r: list.refused })),
    table([t("level"), t("title"), "status", t("file"), t("rule_matches"), t("rule_cost"), t("state"), ""], byNoise(list.rules).map((r) => [
      level(r.level), r.title, r.status || "-", r.file || "-", String(r.matches),
      r.cost_ns === undefined ? "-" : (r.cost_ns / 1000).toFixed(1), r.disabled ? t("off") : t("on"),
      writable ? el("td", {}, el("button", { class: "rule-switch", dataset: { id: r.id }, on: { click: async () => {
        try { await api("POST", `/rules/${encodeURIComponent(r.id)}/${r.disabled ? "enable" : "disable"}`); redraw(); }
        catch (e) { toast(e.message); }
      } } }, r.disabled ? t("enable") : t("disable"))) : ""])));
}

/** Draws the loaded rules and the rule tester. */
export async function rulesPage(root) {
  const list = await api("GET", "/rules");
  const rule = el("textarea", { id: "rule-text", rows: "16", cols: "70", spellcheck: "false" });
  rule.value = example;
  const lines = el("textarea", { id: "rule-lines", rows: "16", cols: "70", spellcheck: "false" });
  lines.value = "Dec  4 10:00:00 srv1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2";
  const out = el("div", { id: "rule-result" });
  const run = async () => {
    try {
      const r = await api("POST", "/rules/test", { rule: rule.value, lines: lines.value });
      mount(out, el("p", { class: "note" }, t("rule_summary", { r: r.loaded, n: r.lines, m: r.matches.length })),
        r.refused.length ? el("div", { class: "panel" }, el("h2", {}, t("refused")),
          table(["id", t("reason")], r.refused.map((x) => [x.id, x.reason]))) : null,
        r.matches.length ? el("div", { class: "panel" }, table(["#", t("level"), t("title")],
          r.matches.map((m) => [String(m.line), level(m.level), m.title]))) : null);
    } catch (e) { mount(out, el("p", { class: "error" }, e.message)); }
  };
  mount(root, el("h1", {}, t("nav_rules")), loaded(list, () => rulesPage(root)),
    el("h2", {}, t("try_title")), el("p", { class: "note" }, t("rules_why")),
    el("div", { class: "split" }, el("div", {}, el("h2", {}, "Sigma"), rule),
      el("div", {}, el("h2", {}, t("raw")), lines)),
    el("p", {}, el("button", { class: "primary", id: "rule-run", on: { click: run } }, t("try_rule"))), out);
}
