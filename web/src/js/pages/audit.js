// audit.js — the audit trail for auditors: newest first, paged back, and its verification.
import { api, qs } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";

/** Draws a page of the trail (records before `before`, when given). */
export async function auditPage(root, params) {
  const before = params.get("before") || "";
  const list = await api("GET", "/audit" + qs({ limit: 200, before }));
  const result = el("p", { id: "verify-result" });
  const oldest = list.length ? list[list.length - 1].id : 0;
  mount(root, el("div", { class: "toolbar" }, el("h1", {}, t("nav_audit")),
    el("button", { id: "verify", on: { click: async () => {
      const v = await api("GET", "/audit/verify");
      result.className = v.ok ? "note" : "error";
      result.textContent = v.ok ? t("verify_ok", { n: v.records, h: v.heads })
        : t("verify_bad", { n: v.problems.length }) + " " + v.problems.map((p) => `#${p.record}: ${p.problem}`).join("; ");
    } } }, t("verify")),
    list.length === 200 ? el("a", { class: "pivot", href: "#/audit?before=" + oldest }, t("older")) : null),
  result, el("div", { class: "panel", id: "trail" }, table(["#", t("time"), t("actor"), t("address"), t("action"), t("object"), t("result")],
    list.map((a) => [String(a.id), when(a.time), a.actor, a.source, a.action, a.object, a.result]))));
}
