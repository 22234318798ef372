// replay.mjs opens a WACZ in ReplayWeb.page, the viewer archivists use,
// in headless Chromium driven by puppeteer-core, and reports on stdout,
// as JSON, what the browser loaded for each archived page. TestReplayWACZ
// in the root package serves the harness page, ReplayWeb.page's ui.js and
// sw.js (from node_modules/replaywebpage) and the WACZ from one local
// port, so that the viewer's service worker runs and reads the WACZ
// there, and compares the report with the crawl.
//
// Usage: node replay.mjs CHROMIUM HARNESS_URL FRAME_PAGE_URL URL...
//
// The harness page embeds <replay-web-page>; once the viewer shows its
// first page, the collection is loaded in the service worker, and each
// URL is opened in a tab of its own, in the iframe#replay of
// FRAME_PAGE_URL, at REPLAY_BASE/w/COLL/TSmp_/URL: the frame the viewer
// itself replays pages in (opened at the top level, such a URL is sent
// on to the full viewer). For each, the report lists
// every response the tab received (URL, status, whether the service
// worker answered it), the redirects of the navigation, and what the
// page shows: its title, its images and whether they decoded, its
// stylesheets and their rule counts, whether its scripts ran (the test
// site's app.js sets <html class="js">), and the body's background.
//
// Exit status: 0 when the report was written (the Go test judges it),
// 1 when the viewer did not come up, 2 on a usage error.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const TIMEOUT = 60_000;

async function waitForReplayFrame(page) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      // BASE/w/COLL/[:WACZHASH/]TSmp_/URL
      const m = f.url().match(/^(.*\/)w\/([^/]+)\/(:[^/]+\/)?(\d*)[a-z_]*\/(https?:.*)$/);
      if (m) {
        return { base: m[1], coll: m[2], ts: m[4], url: m[5] };
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    "the viewer showed no replayed page within " + TIMEOUT / 1000 + " s; frames: " +
      page.frames().map((f) => f.url()).join(", "),
  );
}

async function replay(browser, framePage, base, coll, ts, url) {
  // A replay URL opened at the top level is sent to the full viewer;
  // in a frame, as the viewer itself shows it, the page is replayed.
  const page = await browser.newPage();
  const responses = [];
  const failed = [];
  page.on("response", (r) => {
    if (r.url().startsWith("data:")) {
      return;
    }
    responses.push({
      url: r.url(),
      status: r.status(),
      fromServiceWorker: r.fromServiceWorker(),
      type: r.request().resourceType(),
      frame: r.frame()?.parentFrame() ? "replay" : "top",
    });
  });
  page.on("requestfailed", (r) => failed.push({ url: r.url(), error: r.failure()?.errorText }));
  const replayURL = `${base}w/${coll}/${ts}mp_/${url}`;
  const out = { url, replayURL, responses, failed };
  try {
    await page.goto(framePage, { waitUntil: "load", timeout: TIMEOUT });
    const frameLoaded = new Promise((resolve) => {
      page.on("framenavigated", (f) => {
        if (f.parentFrame()) {
          resolve(f);
        }
      });
    });
    await page.evaluate((u) => {
      document.getElementById("replay").src = u;
    }, replayURL);
    await frameLoaded;
    await page.waitForNetworkIdle({ idleTime: 500, timeout: TIMEOUT });
    const frame = page.frames().find((f) => f.parentFrame());
    const docs = responses.filter((r) => r.type === "document" && r.frame === "replay");
    const main = docs[docs.length - 1];
    out.status = main?.status;
    out.fromServiceWorker = main?.fromServiceWorker;
    out.redirects = docs.slice(0, -1).map((r) => ({ url: r.url, status: r.status }));
    out.finalURL = frame.url();
    Object.assign(
      out,
      await frame.evaluate(async () => {
        // Images that are lazy or not yet decoded get a moment.
        await Promise.all(
          [...document.images].map((img) => (img.complete ? null : img.decode().catch(() => null))),
        );
        const sheets = [];
        const walk = (sheet) => {
          let rules = -1;
          try {
            rules = sheet.cssRules.length;
            for (const r of sheet.cssRules) {
              if (r.styleSheet) {
                walk(r.styleSheet);
              }
            }
          } catch (_e) {
            // cross-origin: rules stay -1
          }
          sheets.push({ href: sheet.href, rules });
        };
        for (const s of document.styleSheets) {
          walk(s);
        }
        return {
          title: document.title,
          htmlClass: document.documentElement.className,
          images: [...document.images].map((img) => ({
            src: img.currentSrc || img.src,
            loaded: img.complete && img.naturalWidth > 0,
          })),
          stylesheets: sheets,
          scripts: [...document.scripts].map((s) => s.src).filter((s) => s),
          background: document.body ? getComputedStyle(document.body).backgroundImage : "",
        };
      }),
    );
  } catch (e) {
    out.error = String(e);
  }
  await page.close();
  return out;
}

async function main(args) {
  if (args.length < 4) {
    console.error("usage: node replay.mjs CHROMIUM HARNESS_URL FRAME_PAGE_URL URL...");
    return 2;
  }
  const [chromium, harness, framePage, ...urls] = args;
  const profile = mkdtempSync(join(tmpdir(), "replay-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // Names other than 127.0.0.1 resolve nowhere: nothing replayed can
      // reach the internet, whatever it links to.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  try {
    const page = await browser.newPage();
    const console_ = [];
    page.on("console", (m) => console_.push(m.text()));
    await page.goto(harness, { waitUntil: "load", timeout: TIMEOUT });
    let first;
    try {
      first = await waitForReplayFrame(page);
    } catch (e) {
      console.error(String(e), "\n", console_.join("\n"));
      if (process.env.REPLAY_SCREENSHOT) {
        await page.screenshot({ path: process.env.REPLAY_SCREENSHOT });
      }
      return 1;
    }
    const pages = [];
    for (const url of urls) {
      pages.push(await replay(browser, framePage, first.base, first.coll, first.ts, url));
    }
    console.log(JSON.stringify({ viewer: first, pages }, null, 1));
    return 0;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
