// What the page tests share: the real server binary (../server.mjs), and headless
// Chromium kept offline. Chromium is /usr/bin/chromium (Debian's package), or $CHROMIUM.
import { chromium } from 'playwright-core';

export { root, startServer, STARTUP_MS } from '../server.mjs';

/**
 * Headless Chromium, offline: every request that leaves `origin` is recorded in
 * `foreignRequests` and refused; console errors, uncaught exceptions and failed requests
 * are recorded in `consoleErrors`. Returns `{ browser, context, page, foreignRequests,
 * consoleErrors }`.
 */
export async function offlineBrowser(origin, viewport = { width: 1280, height: 800 }) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const foreignRequests = [];
  const consoleErrors = [];
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    foreignRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (!foreignRequests.includes(request.url())) consoleErrors.push(`request failed: ${request.url()}`);
  });
  return { browser, context, page, foreignRequests, consoleErrors };
}
