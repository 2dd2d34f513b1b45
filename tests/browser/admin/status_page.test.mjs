// Loads the admin status page in a real headless Chromium and checks that
// the connector table shows the live connectors with their health and a
// moving rate, that the routes table shows the route, that the topology
// panel draws the route between its connectors as inline SVG, and that the
// tap panel shows live messages of the connector it is given. Saves a
// screenshot.
//
//   node status_page.test.mjs URL SCREENSHOT_PATH
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

function fail(message) {
  console.error("FAIL: " + message);
  process.exitCode = 1;
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const external = [];
  page.on("request", (r) => { if (!r.url().startsWith(url.replace(/\/$/, ""))) external.push(r.url()); });
  await page.goto(url);

  await page.waitForSelector('#connectors tr[data-connector="tracking"]', { timeout: 30000 });
  await page.waitForSelector('#connectors tr[data-connector="discard"]', { timeout: 30000 });
  const rows = await page.$$eval("#connectors tbody tr", (trs) =>
    trs.map((tr) => Array.from(tr.cells).map((c) => c.textContent)));
  for (const row of rows) {
    if (row[2] !== "healthy") fail(`connector ${row[0]} shows '${row[2]}'`);
  }
  // The page computes rates from successive polls: the generator's in/s
  // must become positive.
  await page.waitForFunction(() => {
    const row = document.querySelector('#connectors tr[data-connector="tracking"]');
    return row && parseFloat(row.cells[3].textContent.replace(/,/g, "")) > 0;
  }, null, { timeout: 30000 });
  const routes = await page.$$eval("#routes tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  if (!routes.includes("everything")) fail(`routes table lacks 'everything': ${routes}`);
  // A route with a source policy says which source it takes from now.
  const taking = await page.textContent('#routes tr[data-route="feed"] td.source');
  if (!/^tracking · \d+ switches · \d+ standby dropped$/.test(taking)) fail(`feed takes from '${taking}'`);
  const plain = await page.textContent('#routes tr[data-route="everything"] td.source');
  if (plain !== "every source") fail(`everything takes from '${plain}'`);
  // The topology panel: source, route and output, joined by two edges,
  // with the route's live counter.
  await page.waitForSelector("#graph svg rect.route", { timeout: 30000 });
  const graphText = await page.$$eval("#graph svg text", (ts) => ts.map((t) => t.textContent));
  for (const want of ["tracking (generate)", "route everything", "discard (null)"]) {
    if (!graphText.includes(want)) fail(`topology lacks '${want}': ${graphText.join(" | ")}`);
  }
  await page.waitForFunction(() => Array.from(document.querySelectorAll("#graph svg text"))
    .some((t) => /^matched [1-9]/.test(t.textContent)), null, { timeout: 30000 });
  const edges = await page.$$eval("#graph svg line", (ls) => ls.length);
  // everything: tracking -> route -> discard; feed: tracking and spare -> route -> discard.
  if (edges !== 5) fail(`topology has ${edges} edges, expected 5`);
  const ready = await page.textContent("#ready");
  if (ready !== "ready") fail(`header says '${ready}'`);
  console.log(`connectors: ${rows.map((r) => r[0]).join(", ")}; routes: ${routes.join(", ")}`);

  // The tap panel: live lines from GET /tap for the sink, then Stop.
  await page.fill("#taptarget", "discard");
  await page.click("#tapbutton");
  await page.waitForFunction(() => document.getElementById("taplines").textContent.split("\n")
    .filter((l) => l.includes('"tap":"out"')).length >= 3, null, { timeout: 30000 });
  const tapped = (await page.textContent("#taplines")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  for (const line of tapped) {
    if (line.dropped !== undefined) continue;
    if (line.connector !== "discard" || !["everything", "feed"].includes(line.route) || typeof line.payload.n !== "number")
      fail(`tap panel line is not a message sent to discard: ${JSON.stringify(line)}`);
  }
  if ((await page.textContent("#tapbutton")) !== "Stop") fail("the tap button does not offer Stop");
  await page.click("#tapbutton");
  await page.waitForFunction(() => document.getElementById("tapbutton").textContent === "Start",
    null, { timeout: 10000 });
  console.log(`tap panel: ${tapped.length} lines`);

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  if (errors.length) fail("page errors: " + errors.join("; "));
  if (external.length) fail("the page loaded external resources: " + external.join(", "));
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser.close();
}
