// charts.js — the charts of the console (Chart.js, and its geo plugin for the map), drawn
// into canvases the pages make; one place for colours and for destroying old charts when
// a page is drawn again.
import { el } from "../dom.js";
import { lang } from "../i18n.js";

const live = new Map();
export const levelColours = { critical: "#e5484d", high: "#f76b15", medium: "#ffc53d",
  low: "#3fa7ff", informational: "#8b98a8" };
export const levels = ["critical", "high", "medium", "low", "informational"];

/** A canvas in a sized box; id names it for tests. */
export function canvasBox(id, tall) {
  return el("div", { class: tall ? "chart tall" : "chart" }, el("canvas", { id }));
}

function draw(id, config) {
  const c = document.getElementById(id);
  if (!c || !window.Chart) return null;
  if (live.has(id)) live.get(id).destroy();
  Chart.defaults.color = "#8b98a8";
  Chart.defaults.borderColor = "#2b3440";
  const chart = new Chart(c, { ...config, options: { animation: false, maintainAspectRatio: false, ...config.options } });
  live.set(id, chart);
  return chart;
}

/** Bars over time: labels, and datasets [{label, data, colour}]. */
export function bars(id, labels, sets, stacked) {
  return draw(id, {
    type: "bar",
    data: { labels, datasets: sets.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.colour })) },
    options: { plugins: { legend: { display: sets.length > 1 } },
      scales: { x: { stacked: !!stacked }, y: { stacked: !!stacked, beginAtZero: true } } },
  });
}

/** A doughnut of named values. */
export function doughnut(id, names, values, colours) {
  return draw(id, { type: "doughnut", data: { labels: names, datasets: [{ data: values, backgroundColor: colours }] },
    options: { plugins: { legend: { position: "right" } } } });
}

let world = null, countryTable = null;

/** The map of countries: counts by ISO alpha-2 code. */
export async function worldMap(id, byCode) {
  if (!window.ChartGeo) return null;
  if (!world) {
    const [w, c] = await Promise.all([fetch("/vendor/countries-110m.json").then((r) => r.json()),
      fetch("/vendor/countries.json").then((r) => r.json())]);
    world = ChartGeo.topojson.feature(w, w.objects.countries).features;
    countryTable = c;
  }
  const byNumeric = {};
  for (const [code, n] of Object.entries(byCode || {}))
    if (countryTable[code]) byNumeric[String(Number(countryTable[code].n))] = { n, code };
  const name = (f) => {
    const hit = byNumeric[String(Number(f.id))];
    return hit && countryTable[hit.code] ? countryTable[hit.code][lang()] : f.properties.name;
  };
  return draw(id, {
    type: "choropleth",
    data: { labels: world.map(name), datasets: [{ label: "", outline: world,
      data: world.map((f) => ({ feature: f, value: (byNumeric[String(Number(f.id))] || { n: 0 }).n })) }] },
    options: { showOutline: true, showGraticule: false, plugins: { legend: { display: false } },
      scales: { projection: { axis: "x", projection: "equalEarth" },
        color: { axis: "x", quantize: 5, legend: { position: "bottom-right", align: "right" } } } },
  });
}

/** Labels "HH:MM" or "MM-DD HH:00" for count buckets from `from` (ns) every `bucket` ns. */
export function bucketLabels(from, bucket, n) {
  const p = (x) => String(x).padStart(2, "0");
  return Array.from({ length: n }, (_, i) => {
    const d = new Date((from + i * bucket) / 1e6);
    return bucket >= 3600e9 * 6 ? `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:00`
      : `${p(d.getHours())}:${p(d.getMinutes())}`;
  });
}
