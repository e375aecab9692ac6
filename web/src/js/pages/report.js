// report.js — a printable compliance report of the figures MLPS 2.0 (level 3) asks about:
// the log sources and how long their events are kept, the accounts and their second
// factors, and what the audit trail covers. Each part is shown when the roles allow it.
import { api, can } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";

/** Draws the report. */
export async function reportPage(root) {
  const parts = [el("div", { class: "toolbar" }, el("h1", {}, t("report_title")),
    el("button", { on: { click: () => window.print() } }, t("print"))),
    el("p", { class: "note" }, when(new Date().toISOString()))];
  const sources = await api("GET", "/sources");
  parts.push(el("div", { class: "panel" }, el("h2", {}, t("report_sources")), el("p", {}, t("retention")),
    table([t("input"), t("host"), t("first_seen_src"), t("last_seen_src"), t("events_n")],
      sources.map((s) => [s.input, s.host, when(s.first_seen), when(s.last_seen), String(s.events)]))));
  if (can("accounts.read")) {
    const acc = await api("GET", "/accounts");
    parts.push(el("div", { class: "panel" }, el("h2", {}, t("report_accounts")),
      table([t("name"), t("roles"), t("factor"), t("disabled")],
        acc.map((a) => [a.name, a.roles.join(", "), a.totp ? t("yes") : t("no"), a.disabled ? t("yes") : t("no")]))));
  }
  parts.push(el("div", { class: "panel" }, el("h2", {}, t("report_audit")), el("p", {},
    "auth.login, auth.failure, auth.lockout, auth.logout, auth.timeout, auth.password_change, auth.totp_enrol, " +
    "account.create, account.grant, account.disable, account.reset, alert.status, alerts.list, search, " +
    "audit.read, audit.verify, config.load, rules.reload, retention.delete")));
  mount(root, parts);
}
