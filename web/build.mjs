// build.mjs — assembles the console into dist/: the sources of src/ as they are (plain
// ES modules, no transpiling), the vendored libraries from node_modules (Chart.js, its
// geo plugin, the world map), and countries.json (ISO 3166 alpha-2 -> numeric code and the
// English and Chinese names) generated here from i18n-iso-countries. Run by `make`.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "vendor"), { recursive: true });
cpSync(join(here, "src"), dist, { recursive: true });

const vendor = {
  "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
  "chartjs-chart-geo.umd.min.js": "chartjs-chart-geo/build/index.umd.min.js",
  "countries-110m.json": "world-atlas/countries-110m.json",
};
// files, not modules: read from node_modules by path (packages' "exports" hide them)
for (const [name, from] of Object.entries(vendor))
  cpSync(join(here, "node_modules", from), join(dist, "vendor", name));

const countries = require("i18n-iso-countries");
countries.registerLocale(require("i18n-iso-countries/langs/en.json"));
countries.registerLocale(require("i18n-iso-countries/langs/zh.json"));
const table = {};
for (const a2 of Object.keys(countries.getAlpha2Codes()))
  table[a2] = { n: countries.alpha2ToNumeric(a2), en: countries.getName(a2, "en"), zh: countries.getName(a2, "zh") };
writeFileSync(join(dist, "vendor", "countries.json"), JSON.stringify(table));

const version = JSON.parse(readFileSync(join(here, "package.json"))).version;
writeFileSync(join(dist, "version.txt"), version + "\n");
console.log("console built in " + dist);
