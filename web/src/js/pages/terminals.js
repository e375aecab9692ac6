// terminals.js — the unregistered terminals: devices DHCP servers and arpwatch reported
// that the asset inventory does not register, newest first.
import { api } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";

/** Draws the list. */
export async function terminalsPage(root) {
  const list = await api("GET", "/terminals");
  mount(root, el("h1", {}, t("nav_terminals")), el("p", { class: "note" }, t("terminals_why")),
    el("div", { class: "panel", id: "terminals" },
      list.length ? table(["MAC", "IP", t("name"), t("first_seen"), t("last_seen"), t("seen")],
        list.map((x) => [x.mac, x.ip || "-", x.name || "-", when(x.first_seen), when(x.last_seen), String(x.seen)]))
        : el("p", {}, t("none"))));
}
