// Drives the HTML report in headless Chromium (tests/html.rs): node browser.js PAGE SHOT
// [ACTIONS]. Needs playwright-core (NODE_PATH) and CUSTODY_CHROMIUM (Debian's chromium;
// Playwright never downloads a browser here). Prints one JSON object of what it saw; the
// Rust test asserts on it.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [page_path, shot, actions = "full"] = process.argv.slice(2);

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "custody-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CUSTODY_CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    // The flags known to work on this machine kind: no sandbox as root, and no background
    // connections (a closed network refuses them).
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const out = { requests: [], errors: [] };
  try {
    // Every request other than the page itself is recorded and refused.
    const url = "file://" + path.resolve(page_path);
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      out.requests.push(u);
      return route.abort();
    });
    const page = context.pages()[0] || (await context.newPage());
    out.dialogs = [];
    page.on("dialog", (d) => { out.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on("pageerror", (e) => out.errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") out.errors.push(m.text()); });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: "load" });
    out.load_ms = Date.now() - t0;

    const state = () => page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll("#findings-table tbody tr"));
      const visible = rows.filter((r) => !r.hidden);
      return {
        rows: rows.length,
        visible: visible.length,
        count: (document.getElementById("f-count") || {}).textContent,
        severities: visible.map((r) => r.getAttribute("data-severity")),
        statuses: visible.map((r) => r.getAttribute("data-status")),
        entities: visible.map((r) => r.cells[2].getAttribute("data-sort")),
      };
    });
    out.initial = await state();
    if (actions === "full") {
      out.controls_visible = await page.isVisible("#controls");
      await page.selectOption("#f-severity", "critical");
      out.critical = await state();
      await page.selectOption("#f-severity", "");
      await page.selectOption("#f-status", "waived");
      out.waived = await state();
      await page.selectOption("#f-status", "");
      await page.fill("#f-text", "tessaly-crm");
      await page.waitForTimeout(50);
      out.search = await state();
      await page.fill("#f-text", "");
      await page.waitForTimeout(50);
      await page.click("th[data-key=entity] button");
      out.by_entity = await state();
      out.by_entity_sort = await page.getAttribute("th[data-key=entity]", "aria-sort");
      await page.click("th[data-key=entity] button");
      out.by_entity_desc = await state();
      await page.click("th[data-key=severity] button");
      out.by_severity = await state();
      // Selecting an entity in the graph filters the table to it.
      const node = page.locator("#graph a[data-entity]:has(g.failing)").first();
      out.graph_nodes = await page.locator("#graph a[data-entity]").count();
      out.node_entity = await node.getAttribute("data-entity");
      await node.click();
      out.after_node = await state();
      await page.fill("#f-text", "");
      await page.selectOption("#f-severity", "");
      await page.evaluate(() => window.scrollTo(0, 0));
      // The first finding's evidence, opened for the screenshot.
      await page.evaluate(() => {
        const d = document.querySelector("#findings-table tbody tr details");
        if (d) d.open = true;
      });
      await page.locator("#findings-table th[data-key=rule] button").click();
    }
    const t1 = Date.now();
    await page.screenshot({ path: shot, fullPage: actions === "full" });
    out.screenshot_ms = Date.now() - t1;

  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  // Without JavaScript: the same rows, the static count, no controls.
  if (actions === "full") {
    const profile2 = fs.mkdtempSync(path.join(os.tmpdir(), "custody-chromium-"));
    const plain = await chromium.launchPersistentContext(profile2, {
      executablePath: process.env.CUSTODY_CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    try {
      const page = plain.pages()[0] || (await plain.newPage());
      await page.goto("file://" + path.resolve(page_path), { waitUntil: "load" });
      out.no_js = {
        rows: await page.locator("#findings-table tbody tr").count(),
        controls_visible: await page.isVisible("#controls"),
        static_count_visible: await page.isVisible("#f-static"),
        svg_nodes: await page.locator("#graph svg g.node").count(),
      };
    } finally {
      await plain.close();
      fs.rmSync(profile2, { recursive: true, force: true });
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
