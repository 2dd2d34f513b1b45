// Opens the websocket plugin's live viewer in a real headless Chromium and
// checks that live events appear, that the rate is shown, and that typing a
// filter narrows the stream to one device. Saves a screenshot.
//
//   node viewer.test.mjs URL SCREENSHOT_PATH
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

  await page.waitForSelector('#status[data-state="connected"]', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll("#events tr").length >= 10,
                             null, { timeout: 30000 });
  await page.waitForFunction(() => parseFloat(document.getElementById("rate_now").textContent) > 0,
                             null, { timeout: 30000 });
  const rate = parseFloat(await page.textContent("#rate_now"));
  const total = parseInt(await page.textContent("#total"), 10);
  console.log(`viewer shows ${total} events at ${rate} events/s`);

  // Narrow to one device: only its events may appear afterwards.
  await page.fill("#filter", "device=0848086007");
  await page.click("#subscribe");
  await page.click("#clear");
  await page.waitForFunction(() => document.querySelectorAll("#events tr").length >= 3,
                             null, { timeout: 60000 });
  const devices = await page.$$eval("#events tr td:nth-child(3)", (cells) =>
    cells.map((c) => c.textContent));
  const others = devices.filter((d) => !d.includes('"0848086007"'));
  if (others.length) fail(`after filtering, rows of other devices: ${others.slice(0, 3).join(" | ")}`);
  const message = await page.textContent("#messages");
  if (!message.startsWith("subscribed")) fail(`expected a 'subscribed' note, got '${message}'`);

  await page.screenshot({ path: screenshot, fullPage: false });
  console.log(`screenshot: ${screenshot}`);
  if (errors.length) fail("page errors: " + errors.join("; "));
  if (external.length) fail("the page loaded external resources: " + external.join(", "));
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser.close();
}
