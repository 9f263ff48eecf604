// What the browser test scripts share: Debian's chromium started headless
// through playwright-core, fresh pages that record every console error and
// failed request, scenarios reported one JSON line each
// ({"scenario", "ok", "detail"}), and waiting for the page's views.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

// --name value pairs of the command line.
export function options(usage, required) {
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
    (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
  if (required.some(r => !args[r])) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  if (args.screenshots) mkdirSync(args.screenshots, { recursive: true });
  return args;
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

let browser;
let failed = 0;

export async function launch() {
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  } catch (e) {
    console.log(JSON.stringify({ scenario: 'browser starts', ok: false, detail: String(e.message || e) }));
    process.exit(2);
  }
}

export function check(cond, what) {
  if (!cond) throw new Error(what);
}

// A fresh page (English interface unless told), with every console error
// and failed request recorded: a scenario fails on any of them. `expected`:
// console errors the scenario causes on purpose (a 401 the page answers).
export async function newPage(viewport = DESKTOP, locale = 'en-US', expected = null) {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', e => page.problems.push(`page error: ${e.message}`));
  page.on('console', m => {
    if (m.type() === 'error' && !(expected && expected.test(m.text()))) page.problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', d => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  return page;
}

export async function scenario(name, fn, pageOptions = {}) {
  const page = await newPage(pageOptions.viewport, pageOptions.locale, pageOptions.expected);
  try {
    await fn(page);
    check(page.problems.length === 0, page.problems.join('; '));
    console.log(JSON.stringify({ scenario: name, ok: true, detail: '' }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ scenario: name, ok: false, detail: `${e.message} (at ${page.url()})` }));
  } finally {
    await page.context().close();
  }
}

export async function finish() {
  await browser.close();
  process.exit(failed ? 1 : 0);
}

export const total = async page => Number((await page.textContent('#results-heading')).replace(/\D/g, ''));
export const results = async page => page.$$eval('.hit-title a', as => as.map(a => a.getAttribute('href')));
// Waits until the page shows the view of its current address.
export const settled = page => page.waitForFunction(() => document.querySelector('main').dataset.rendered === location.pathname + location.search);
export async function searched(page) {
  await settled(page);
  await page.waitForSelector('#results-heading');
}
