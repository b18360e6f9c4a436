// Opens a paretonas report in Debian's chromium (headless, offline) and checks what a user sees.
// Usage: node check_report.js REPORT_HTML EXPECTED_MARKS SCREENSHOT_PNG
// Prints one JSON line with what it found; exits 1 with a reason on the first failed check.
"use strict";
const { chromium } = require("playwright-core");

const [reportPath, expectedText, screenshot] = process.argv.slice(2);
const expected = Number(expectedText);

function fail(why) {
  console.error("report check failed: " + why);
  process.exit(1);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("console", m => { if (m.type() === "error" || m.type() === "warning") problems.push(m.type() + ": " + m.text()); });
    page.on("pageerror", e => problems.push("page error: " + e.message));
    // The report must open offline: any request that leaves the file fails the check.
    const requests = [];
    page.on("request", r => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    await page.goto("file://" + reportPath, { waitUntil: "load" });

    const marks = await page.locator("#scatter .mark").count();
    if (marks !== expected) fail(`the scatter has ${marks} marks, expected one per candidate (${expected})`);
    const frontMarks = page.locator("#scatter .mark.front");
    const frontCount = await frontMarks.count();
    const rows = await page.locator("#front-table tbody tr").count();
    if (frontCount === 0) fail("no front member is highlighted");
    if (rows !== frontCount) fail(`the front table has ${rows} rows but the scatter highlights ${frontCount}`);

    // Hovering a front point shows its id.
    const target = frontMarks.nth(frontCount - 1);
    const id = await target.getAttribute("data-id");
    await target.hover();
    const tooltip = page.locator("#tooltip");
    await tooltip.waitFor({ state: "visible", timeout: 5000 });
    const tip = await tooltip.textContent();
    if (!tip.includes("Candidate #" + id)) fail(`hovering front point ${id} shows "${tip}"`);

    // Clicking it selects it and draws its architecture.
    await target.click();
    const details = await page.locator("#details h2").textContent();
    if (!details.includes("#" + id)) fail(`clicking point ${id} selected "${details}"`);
    const archNodes = await page.locator("#arch .node").count();
    if (archNodes < 3) fail(`the architecture drawing has ${archNodes} nodes`);
    const hvPoints = await page.locator("#hv-generation .hv-point").count();
    if (hvPoints === 0) fail("the hypervolume chart is empty");
    const downloads = await page.locator("#front-table a[download]").count();
    // A method's details of the selected model (NAGO: theta as a table, the graph of cells).
    const generatorRows = await page.locator("#generator-table tr").count();
    const cells = await page.locator("#cell-graph .cell").count();

    // Every cost tab redraws the same candidates.
    for (const tab of await page.locator("#axis-tabs button").all()) {
      await tab.click();
      const n = await page.locator("#scatter .mark").count();
      if (n !== expected) fail(`tab "${await tab.textContent()}" shows ${n} marks, expected ${expected}`);
    }
    await page.locator("#axis-tabs button").first().click();
    await target.hover();
    await page.screenshot({ path: screenshot, fullPage: true });
    if (problems.length) fail("the page logged: " + problems.join(" | "));
    if (requests.length) fail("the page requested " + requests.join(", "));
    console.log(JSON.stringify({ marks, front: frontCount, hovered: Number(id), tooltip: tip, arch_nodes: archNodes,
                                 hv_points: hvPoints, downloads, generator_rows: generatorRows, cells, tabs: await page.locator("#axis-tabs button").count() }));
  } finally {
    await browser.close();
  }
})().catch(e => fail(e.message.split("\n")[0]));
