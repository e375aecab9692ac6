// console.mjs — the console in a real browser (Debian's Chromium, driven by
// playwright-core). Run by tests/integration/test_console_browser.py, which starts the
// daemon, replays a scenario and prepares the accounts; it passes them in VIGIL_CONSOLE
// (JSON: url, shots, users). Prints "ok - NAME" / "not ok - NAME: why" per check, and
// writes a screenshot of each page into the `shots` directory.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const cfg = JSON.parse(process.env.VIGIL_CONSOLE);
mkdirSync(cfg.shots, { recursive: true });
let failed = 0;

function report(name, ok, why) {
  if (ok) console.log("ok - " + name);
  else {
    failed++;
    console.log("not ok - " + name + ": " + String(why || "").replace(/\n/g, " ").slice(0, 600));
  }
}

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits), written here from the RFC. */
function totp(secretB32, at) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secretB32.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((at || Date.now() / 1000) / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, "0");
}

async function shot(page, name) {
  await page.screenshot({ path: join(cfg.shots, name + ".png"), fullPage: true });
}

async function login(page, user, password, code) {
  await page.goto(cfg.url);
  await page.fill("#user", user);
  await page.fill("#password", password);
  await page.click("#signin");
  if (code) {
    await page.waitForSelector("#totp-row:not([hidden])", { timeout: 10000 });
    await page.fill("#totp", code);
    await page.click("#signin");
  }
  await page.waitForSelector("#nav a", { timeout: 15000 });
}

const browser = await chromium.launch({ executablePath: cfg.chromium, args: ["--no-sandbox"] });
const dialogs = [];
let current = null;
async function newPage() {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  current = page;
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on("pageerror", (e) => dialogs.push("page error: " + e.message));
  return page;
}
try {
  // the security administrator, with the second factor, sees the overview
  const sec = cfg.users.secadmin;
  let page = await newPage();
  await page.goto(cfg.url);
  await page.waitForSelector("#login-form");
  await shot(page, "01-login");
  await page.fill("#user", "secadmin");
  await page.fill("#password", sec.password);
  await page.click("#signin");
  await page.waitForSelector("#totp-row:not([hidden])");
  const asked = await page.textContent("#login-error");
  await page.fill("#totp", totp(sec.seed, Date.now() / 1000 + 30));
  await page.click("#signin");
  await page.waitForSelector("#indicators", { timeout: 15000 });
  report("sign in with password and TOTP code", asked.length > 0, asked);
  await page.waitForFunction(() => window.Chart && Chart.getChart("chart-events") && Chart.getChart("chart-map"), null, { timeout: 15000 });
  const ind = Object.fromEntries(await page.$$eval("#indicators .card", (cs) => cs.map((c) => [c.id, Number(c.querySelector(".n").textContent)])));
  report("the overview's indicators show the replayed scenario (open alerts, unregistered terminal)",
    ind["ind-open"] >= cfg.expect.open_alerts && ind["ind-terminals"] >= 1, JSON.stringify(ind));
  const events = await page.evaluate(() => Chart.getChart("chart-events").data.datasets[0].data.reduce((a, b) => a + b, 0));
  report("the events chart counts the replayed events", events >= cfg.expect.events, String(events));
  const countries = await page.evaluate(() => Chart.getChart("chart-map").data.datasets[0].data.filter((d) => d.value > 0).length);
  report("the map colours the attacker's country", countries >= 1, String(countries));
  const topRules = await page.$$eval(".panel table", (ts) => ts.map((t) => t.textContent).join(" "));
  report("the top rules name the scenario's rules", topRules.includes(cfg.expect.rule_title), topRules.slice(0, 300));
  await shot(page, "02-overview");
  const nav = await page.$$eval("#nav a", (as) => as.map((a) => a.id));
  report("the security administrator's menu has no search and no audit trail",
    !nav.includes("nav-search") && !nav.includes("nav-audit") && nav.includes("nav-alerts"), nav.join(","));

  // the analyst: alert queue, acknowledge, search and pivot, Chinese, XSS as text
  page = await newPage();
  await login(page, "ana", cfg.users.ana.password);
  await page.click("#nav-alerts");
  await page.waitForSelector(".alert-row");
  await shot(page, "03-alerts");
  const xssCell = await page.$$eval(".alert-row td", (tds) => tds.map((t) => t.textContent).find((s) => s.includes("<script>")) || "");
  const injected = await page.evaluate(() => document.querySelectorAll("#alert-list script, #alert-list img").length);
  report("a <script> written into a log line shows as text in the queue", xssCell.includes("<script>") && injected === 0,
    `cell ${JSON.stringify(xssCell)} injected ${injected}`);
  const target = await page.$eval(".alert-row", (r) => r.dataset.id);
  await page.click(`.alert-row[data-id="${target}"] td:nth-child(3)`);
  await page.waitForSelector("#alert-detail");
  await page.click('.alert-row:has-text("SSH brute force") td:nth-child(3)');
  await page.waitForSelector("#alert-events table", { timeout: 10000 });
  const behind = await page.textContent("#alert-events");
  report("an alert's detail shows the events behind it", behind.includes("Failed password for root"), behind.slice(0, 200));
  await shot(page, "04-alert-detail");
  await page.check(`.alert-row[data-id="${target}"] input.pick`);
  await page.click("#bulk-acknowledge");
  await page.waitForSelector("#reason-dialog");
  await page.fill("#reason", "looked at it: the scan is known");
  await page.click("#reason-ok");
  await page.waitForFunction((id) => {
    const r = document.querySelector(`.alert-row[data-id="${id}"]`);
    return r && r.lastElementChild.textContent === "acknowledged";
  }, target, { timeout: 10000 });
  await page.selectOption("#status-filter", "acknowledged");
  await page.waitForFunction(() => location.hash.includes("status=acknowledged"));
  await page.waitForSelector(`.alert-row[data-id="${target}"]`, { timeout: 10000 });
  const others = await page.$$eval(".alert-row", (rs) => rs.filter((r) => r.lastElementChild.textContent !== "acknowledged").length);
  report("acknowledge an alert from the queue (with a reason)", others === 0, String(others));
  await page.check(`.alert-row[data-id="${target}"] input.pick`);
  await page.click("#bulk-take");
  await page.waitForFunction((id) => {
    const r = document.querySelector(`.alert-row[data-id="${id}"]`);
    return r && r.children[r.children.length - 2].textContent === "ana";
  }, target, { timeout: 10000 });
  report("take an alert: the analyst becomes its assignee", true);
  await page.selectOption("#status-filter", "all");
  await page.waitForFunction(() => location.hash.includes("status=all"));
  await page.check("#group-rule");
  await page.waitForSelector(".group-row");
  const groups = await page.$$eval(".group-row", (rs) => rs.length);
  report("the queue grouped by rule", groups >= 3, String(groups));
  await shot(page, "05a-alerts-grouped");
  await shot(page, "05-alert-acknowledged");
  await page.click("#nav-terminals");
  await page.waitForSelector("#terminals");
  const term = await page.textContent("#terminals");
  report("the unregistered terminal of the scenario is listed", term.includes("00:11:22:33:44:55"), term.slice(0, 200));
  const inv = await page.textContent("#assets");
  report("the asset inventory is listed", inv.includes("db01") && inv.includes("dba-team"), inv.slice(0, 200));
  await shot(page, "05b-terminals");

  await page.click("#nav-search");
  await page.fill("#query", "program:sshd");
  await page.click("#run");
  await page.waitForSelector(".event-row", { timeout: 15000 });
  const before = await page.$$eval(".event-row", (r) => r.length);
  const rawXss = await page.$$eval("td.raw", (tds) => tds.map((t) => t.textContent).filter((s) => s.includes("<script>")).length);
  const injectedSearch = await page.evaluate(() => document.querySelectorAll("#results script, #results img").length);
  await page.click(".event-row >> nth=0");
  await page.waitForSelector("#event-fields");
  await shot(page, "06-search");
  const srcLink = await page.$('#event-fields a[data-field="src_ip"]');
  let pivoted = "";
  if (srcLink) {
    await srcLink.click();
    await page.waitForFunction(() => location.hash.includes("src_ip"), null, { timeout: 10000 });
    await page.waitForSelector(".event-row", { timeout: 15000 });
    pivoted = await page.inputValue("#query");
  }
  const after = await page.$$eval(".event-row", (r) => r.length);
  report("search, then pivot on a field value narrows the query",
    pivoted.includes("program:sshd AND src_ip:") && after > 0 && after < before, `${before} -> ${after} ${pivoted}`);
  report("the histogram is drawn", await page.evaluate(() => !!Chart.getChart("chart-search")), "");
  report("a <script> in a raw record shows as text in search", rawXss >= 1 && injectedSearch === 0, `${rawXss} ${injectedSearch}`);
  await shot(page, "07-pivot");

  // saved searches are the account's, on the server: one saved under a name written as
  // markup, and one an older console left in localStorage, are listed after a reload
  const savedName = "ssh <b>from</b> the attacker";
  const savedQuery = await page.inputValue("#query");
  await page.fill("#search-name", savedName);
  await page.click("#save-search");
  await page.waitForSelector("#saved .saved-search a", { timeout: 10000 });
  await page.evaluate(() => localStorage.setItem("vigil.saved.ana", JSON.stringify([{ q: "program:cron", range: "24h" }])));
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#saved .saved-search").length >= 2, null, { timeout: 15000 });
  const listed = await page.$$eval("#saved .saved-search", (ss) => ss.map((x) => [x.dataset.id, x.querySelector("a").textContent, x.querySelector("a").title]));
  const leftLocal = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("vigil.saved.")).length);
  const markup = await page.evaluate(() => document.querySelectorAll("#saved b").length);
  const mine = listed.find(([, n, q]) => n === savedName && q === savedQuery);
  const mineId = mine ? mine[0] : "none";
  report("save a search, reload: it is listed from the server (its name as text), and the browser's old ones moved there",
    mine && listed.some(([, n]) => n === "program:cron") && leftLocal === 0 && markup === 0, JSON.stringify(listed) + ` local ${leftLocal} markup ${markup}`);
  await shot(page, "07a-saved-searches");
  await page.fill("#query", "host:srv2");
  await page.click("#run");
  await page.waitForFunction(() => location.hash.includes("srv2"));
  await page.click(`#saved .saved-search[data-id="${mineId}"] a`);
  await page.waitForFunction((q) => document.getElementById("query").value === q, savedQuery, { timeout: 10000 });
  await page.click(`#saved .saved-search[data-id="${mineId}"] .unsave`);
  await page.waitForFunction((id) => !document.querySelector(`#saved .saved-search[data-id="${id}"]`), mineId, { timeout: 10000 });
  const afterDelete = await page.$$eval("#saved .saved-search a", (as) => as.map((a) => a.textContent));
  report("a saved search runs from its link, and its × deletes it", afterDelete.join() === "program:cron", afterDelete.join());

  await page.click("#nav-rules");
  await page.waitForSelector("#rule-text");
  await page.click("#rule-run");
  await page.waitForSelector("#rule-result table");
  const tried = await page.textContent("#rule-result");
  report("a rule tried on a pasted line from the rules page", tried.includes("Root login failed"), tried);
  await shot(page, "07b-rules");

  await page.click("#lang");
  await page.waitForFunction(() => document.getElementById("nav-search").textContent === "检索");
  await page.click("#nav-alerts");
  await page.waitForSelector(".alert-row");
  const zh = await page.textContent("#alert-list thead");
  report("switch to Chinese", zh.includes("级别") && zh.includes("规则"), zh);
  await shot(page, "08-alerts-zh");
  await page.click("#nav-overview");
  await page.waitForSelector("#indicators");
  await page.waitForFunction(() => window.Chart && Chart.getChart("chart-map"), null, { timeout: 15000 });
  await shot(page, "09-overview-zh");
  await page.click("#lang");

  // the auditor: the trail and its verification; the system administrator: accounts
  page = await newPage();
  await login(page, "auditor", cfg.users.auditor.password, totp(cfg.users.auditor.seed, Date.now() / 1000 + 30));
  await page.waitForSelector("#trail");
  await page.click("#verify");
  await page.waitForSelector("#verify-result:not(:empty)");
  const verified = await page.textContent("#verify-result");
  const trail = await page.textContent("#trail");
  report("the auditor reads the trail (the analyst's acknowledgement is in it) and verifies it",
    verified.includes("whole") && trail.includes("alert.status") && trail.includes("ana"), verified);
  await shot(page, "10-audit");
  const audNav = await page.$$eval("#nav a", (as) => as.map((a) => a.id));
  report("the auditor's menu holds the audit trail only", audNav.join(",") === "nav-audit", audNav.join(","));

  page = await newPage();
  await login(page, "sysadmin", cfg.users.sysadmin.password, totp(cfg.users.sysadmin.seed, Date.now() / 1000 + 30));
  await page.click("#nav-accounts");
  await page.waitForSelector("#accounts");
  await page.fill("#new-account", "bob");
  await page.click("#create-account button");
  await page.waitForFunction(() => document.getElementById("account-made").textContent.includes("bob"));
  await shot(page, "11-accounts");
  report("the system administrator creates an account and sees its one-time password once", true);
  await page.click("#nav-sources");
  await page.waitForSelector("#sources");
  await shot(page, "12-sources");
  await page.click("#nav-report");
  await page.waitForSelector(".panel");
  await shot(page, "13-report");
  report("no page raised a dialog or a script error", dialogs.length === 0, dialogs.join(" | "));
} catch (e) {
  let text = "";
  if (current) {
    await shot(current, "failure").catch(() => {});
    text = await current.textContent("body").catch(() => "");
  }
  report("the browser run", false, (e.stack || e.message) + " | page: " + text.slice(0, 400) + " | " + dialogs.join(" | "));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
