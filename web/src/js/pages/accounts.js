// accounts.js — accounts and roles: the list, and the actions the signed-in roles allow
// (the system administrator creates, disables, resets; the security administrator grants
// roles). The server checks every one of them again.
import { api, can } from "../api.js";
import { el, mount, table, toast, when } from "../dom.js";
import { t } from "../i18n.js";

const roleNames = ["sysadmin", "secadmin", "auditor", "analyst", "readonly"];

function grantForm(a, redraw) {
  const boxes = roleNames.map((r) => el("label", {}, el("input", { type: "checkbox", value: r, checked: a.roles.includes(r) }), " " + r + " "));
  const pii = el("input", { type: "checkbox", checked: a.pii_view });
  return el("span", { class: "grant" }, boxes, el("label", {}, pii, " " + t("pii_view") + " "),
    el("button", { on: { click: async () => {
      const roles = boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value);
      try { await api("POST", `/accounts/${encodeURIComponent(a.name)}/roles`, { roles, pii_view: pii.checked }); toast(t("done")); redraw(); }
      catch (e) { toast(e.message); }
    } } }, t("grant")));
}

function manage(a, redraw) {
  const call = async (what) => {
    try {
      const r = await api("POST", `/accounts/${encodeURIComponent(a.name)}/${what}`);
      toast(r.one_time_password ? t("created_otp", { name: a.name, otp: r.one_time_password }) : t("done"));
      redraw();
    } catch (e) { toast(e.message); }
  };
  return el("span", {}, el("button", { on: { click: () => call(a.disabled ? "enable" : "disable") } }, a.disabled ? t("enable") : t("disable")),
    " ", el("button", { on: { click: () => call("reset") } }, t("reset")));
}

/** Draws the accounts page. */
export async function accountsPage(root) {
  const list = await api("GET", "/accounts");
  const redraw = () => accountsPage(root);
  const out = el("p", { class: "note", id: "account-made" });
  const name = el("input", { id: "new-account", placeholder: t("name") });
  const create = can("accounts.manage") ? el("form", { class: "toolbar", id: "create-account", on: { submit: async (e) => {
    e.preventDefault();
    try {
      const r = await api("POST", "/accounts", { name: name.value });
      await accountsPage(root);
      document.getElementById("account-made").textContent = t("created_otp", { name: name.value, otp: r.one_time_password });
    } catch (err) { toast(err.message); }
  } } }, name, el("button", { class: "primary", type: "submit" }, t("create_account"))) : null;
  mount(root, el("h1", {}, t("nav_accounts")), create, out, el("div", { class: "panel", id: "accounts" },
    table([t("name"), t("roles"), t("factor"), t("disabled"), t("last_login"), ""],
      list.map((a) => [a.name, a.roles.join(", ") + (a.pii_view ? " +pii" : ""), a.totp ? t("yes") : t("no"),
        a.disabled ? t("yes") : t("no"), when(a.last_login),
        el("td", {}, can("roles.grant") ? grantForm(a, redraw) : null, can("accounts.manage") ? manage(a, redraw) : null)]))));
}
