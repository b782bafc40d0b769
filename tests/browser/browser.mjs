// Shared by the browser checks: how to start Debian's Chromium headless on these machines, and
// the command-line contract (one argument, the server's base URL; a time limit on the run).

import { chromium } from 'playwright-core';
import axe from 'axe-core';
import { readFileSync } from 'node:fs';

export const PASSWORD = 'a long pass phrase for the check';

// The rule sets of the target: WCAG 2.0 A/AA (= JIS X 8341-3:2016) and WCAG 2.1 A/AA.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const CHROMIUM = process.env.KOSHU_TEST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium keeps trying to reach Google and logs every refused connection.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The base URL from argv (exits 2 on a usage error), with a time limit on the whole run. */
export function baseUrl(script, limitSeconds) {
  const base = (process.argv[2] ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) {
    console.error(`usage: node tests/browser/${script}.mjs BASE_URL   (e.g. http://127.0.0.1:8080)`);
    process.exit(2);
  }
  // Never hang the test suite.
  setTimeout(() => {
    console.error(`${script}: timed out after ${limitSeconds} s`);
    process.exit(2);
  }, limitSeconds * 1000).unref();
  return base;
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** axe-core's violations on the loaded page, as readable lines (empty when clean). */
export async function axeFindings(page) {
  const found = [];
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
  await page.evaluate(axe.source);
  const options = { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] };
  const results = await page.evaluate((o) => window.axe.run(document, o), options);
  for (const v of results.violations) {
    const lines = [`  [${v.id}] (${v.impact}) ${v.help}`, `      ${v.helpUrl}`];
    for (const node of v.nodes.slice(0, 10)) {
      lines.push(`      at ${node.target.join(' >> ')}`);
      // The summary says why, under headings such as "Fix any of the following:".
      const reasons = (node.failureSummary ?? '')
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('Fix '));
      for (const reason of reasons.slice(0, 2)) lines.push(`         ${reason}`);
    }
    if (v.nodes.length > 10) lines.push(`      ... and ${v.nodes.length - 10} more elements`);
    found.push(lines.join('\n'));
  }
  return found;
}

/** Signs up with `email` through the pages, signs in, and opens the verification link. */
export async function signUpAndSignInOn(page, base, email) {
  await page.goto(`${base}/signup`, { waitUntil: 'load' });
  await page.fill('#f-display_name', 'アクセシビリティ 確認');
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  await signIn(page, base, email);
  if (!page.url().endsWith('/account')) throw new Error(`sign-in ended at ${page.url()}`);
  // Without SMTP the server writes each mail to its log; open the verification link there.
  await page.goto(await verificationLink(), { waitUntil: 'load' });
}

/** Fills and sends the sign-in form. */
export async function signIn(page, base, email) {
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
}

/** The newest verification link in the server's log (KOSHU_TEST_SERVER_LOG). */
export async function verificationLink() {
  const path = process.env.KOSHU_TEST_SERVER_LOG;
  if (!path) throw new Error('KOSHU_TEST_SERVER_LOG is not set: the verification mail cannot be read');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const links = readFileSync(path, 'utf8').match(/https?:\/\/[^\s]*\/verify-email\?token=[0-9a-f]{64}/g);
    if (links) return links[links.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no verification mail in the server log');
}
