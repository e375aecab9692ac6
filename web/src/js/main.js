// main.js — the console's shell: who is signed in, the navigation their permissions
// allow, the language, and the hash routes (#/overview, #/alerts, ...).
import { api, can, session } from "./api.js";
import { el, mount } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";
import { loginPage } from "./pages/login.js";
import { overviewPage } from "./pages/overview.js";
import { alertsPage } from "./pages/alerts.js";
import { searchPage } from "./pages/search.js";
import { sourcesPage } from "./pages/sources.js";
import { terminalsPage } from "./pages/terminals.js";
import { rulesPage } from "./pages/rules.js";
import { accountsPage } from "./pages/accounts.js";
import { auditPage } from "./pages/audit.js";
import { reportPage } from "./pages/report.js";

const routes = [
  { path: "overview", label: "nav_overview", perm: "overview", page: overviewPage },
  { path: "alerts", label: "nav_alerts", perm: "alerts.read", page: alertsPage },
  { path: "search", label: "nav_search", perm: "search", page: searchPage },
  { path: "sources", label: "nav_sources", perm: "sources.read", page: sourcesPage },
  { path: "terminals", label: "nav_terminals", perm: "assets.read", page: terminalsPage },
  { path: "rules", label: "nav_rules", perm: "rules.read", page: rulesPage },
  { path: "accounts", label: "nav_accounts", perm: "accounts.read", page: accountsPage },
  { path: "audit", label: "nav_audit", perm: "audit.read", page: auditPage },
  { path: "report", label: "nav_report", perm: "sources.read", page: reportPage },
];

const view = () => document.getElementById("view");

function ready() {
  const s = session.info;
  return s && !s.must_change_password && !s.must_enrol_totp;
}

function header() {
  const nav = document.getElementById("nav");
  const here = (location.hash.replace(/^#\/?/, "").split("?")[0]) || "";
  mount(nav, ready() ? routes.filter((r) => can(r.perm)).map((r) =>
    el("a", { href: "#/" + r.path, class: r.path === here ? "active" : "", id: "nav-" + r.path }, t(r.label))) : []);
  document.getElementById("lang").textContent = t("lang_switch");
  document.getElementById("who").textContent = session.info ? session.info.user : "";
  const out = document.getElementById("logout");
  out.hidden = !session.info;
  out.textContent = t("logout");
}

/** Shows the page of the current hash (or the sign-in steps). */
export async function route() {
  header();
  if (!ready()) {
    loginPage(view(), () => { location.hash = "#/" + (firstAllowed() || "overview"); route(); });
    return;
  }
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const r = routes.find((x) => x.path === path);
  if (!r) {
    location.hash = "#/" + (firstAllowed() || "overview");
    return;
  }
  if (!can(r.perm)) {
    mount(view(), el("p", { class: "error" }, t("forbidden")));
    return;
  }
  try {
    await r.page(view(), new URLSearchParams(query || ""));
  } catch (e) {
    mount(view(), el("p", { class: "error" }, t("error") + ": " + e.message));
  }
}

function firstAllowed() {
  const r = routes.find((x) => can(x.perm));
  return r ? r.path : null;
}

async function start() {
  setLang(lang());
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "en" ? "zh" : "en");
    route();
  });
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/logout"); } catch (_) { /* ended already */ }
    session.info = null;
    location.hash = "";
    route();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("vigil:signed-out", () => route());
  try { await api("GET", "/session"); } catch (_) { session.info = null; }
  route();
}

start();
