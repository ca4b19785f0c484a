// Lighthouse scores for many pages with one Chromium per colour scheme.
// usage: node lighthouse_run.mjs <lighthouse module dir> '<json: [{"url": ..., "scheme": "light"|"dark"}]>'
import path from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, jobsJson] = process.argv.slice(2);
const lighthouse = (await import(pathToFileURL(path.join(moduleDir, "lighthouse", "core", "index.js")).href)).default;
const chromeLauncher = await import(pathToFileURL(path.join(moduleDir, "chrome-launcher", "dist", "index.js")).href);
const jobs = JSON.parse(jobsJson);
const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];
const config = {
  extends: "lighthouse:default",
  settings: {
    onlyCategories: ["accessibility", "seo", "best-practices"],
    skipAudits: ["bf-cache", "full-page-screenshot", "screenshot-thumbnails", "final-screenshot"],
    disableFullPageScreenshot: true,  // skipping its audit still takes the picture (2-3 s a page)
    pauseAfterFcpMs: 0, pauseAfterLoadMs: 0, networkQuietThresholdMs: 0, cpuQuietThresholdMs: 0,
    // "simulate": no throttling while the page loads, and the quiet windows above are kept as they are. With
    // "provided" or "devtools", Lighthouse raises each of them to 5.25 s (config.js, overrideThrottlingWindows):
    // about 11 s of waiting a page. No audit of these three categories uses the simulated timings.
    maxWaitForFcp: 15000, maxWaitForLoad: 15000, throttlingMethod: "simulate", formFactor: "desktop",
    screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
  },
};
async function runScheme(scheme) {
  const out = [];
  const mine = jobs.filter((job) => job.scheme === scheme);
  if (!mine.length) return out;
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    chromeFlags: scheme === "dark" ? [...flags, "--force-dark-mode"] : flags,
  });
  try {
    for (const job of mine) {
      const run = await lighthouse(job.url, { port: chrome.port, output: "json", logLevel: "error" }, config);
      const lhr = run.lhr;
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 && ["binary", "numeric"].includes(a.scoreDisplayMode))
        .map((a) => a.id);
      out.push({ ...job, scores: Object.fromEntries(Object.entries(lhr.categories).map(([k, v]) => [k, v.score])), failing });
    }
  } finally {
    await chrome.kill();
  }
  return out;
}
const results = [...(await runScheme("light")), ...(await runScheme("dark"))];  // one run at a time: Lighthouse keeps global state
console.log(JSON.stringify(results));
