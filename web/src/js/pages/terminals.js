// terminals.js — assets: the inventory the daemon reads (address, name, owner, value,
// tags), and the unregistered terminals — devices DHCP servers and arpwatch reported that
// the inventory does not register, newest first.
import { api } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";

/** Draws the inventory and the unregistered terminals. */
export async function terminalsPage(root) {
  const [assets, list] = await Promise.all([api("GET", "/assets"), api("GET", "/terminals")]);
  mount(root, el("h1", {}, t("nav_terminals")),
    el("div", { class: "panel", id: "assets" }, el("h2", {}, t("inventory")),
      assets.length ? table([t("address"), t("name"), t("owner"), t("department"), t("value"), t("registered"), "tags"],
        assets.map((a) => [a.address, a.name || "-", a.owner || "-", a.department || "-", String(a.value),
          a.registered ? t("yes") : t("no"), a.tags.join(", ")])) : el("p", {}, t("none"))),
    el("div", { class: "panel", id: "terminals" }, el("h2", {}, t("unregistered")), el("p", { class: "note" }, t("terminals_why")),
      list.length ? table(["MAC", "IP", t("name"), t("first_seen"), t("last_seen"), t("seen")],
        list.map((x) => [x.mac, x.ip || "-", x.name || "-", when(x.first_seen), when(x.last_seen), String(x.seen)]))
        : el("p", {}, t("none"))));
}
