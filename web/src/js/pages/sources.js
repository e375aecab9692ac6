// sources.js — the log sources: each input and sending host, first and last seen, events.
import { api } from "../api.js";
import { el, mount, table, when } from "../dom.js";
import { t } from "../i18n.js";

/** Draws the source inventory. */
export async function sourcesPage(root) {
  const list = await api("GET", "/sources");
  const hour = Date.now() - 3600e3;
  mount(root, el("h1", {}, t("nav_sources")), el("div", { class: "panel", id: "sources" },
    table([t("input"), t("host"), t("first_seen_src"), t("last_seen_src"), t("events_n"), ""],
      list.map((s) => [s.input, s.host, when(s.first_seen), when(s.last_seen), String(s.events),
        new Date(s.last_seen) < hour ? el("span", { class: "lvl lvl-high" }, t("ind_silent")) : ""]))));
}
