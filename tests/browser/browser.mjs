// Shared by the browser checks: how to start Debian's Chromium headless on these machines, and
// the command-line contract (one argument, the server's base URL; a time limit on the run).

import { chromium } from 'playwright-core';
import axe from 'axe-core';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';

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
export async function signUpAndSignInOn(page, base, email, name = 'アクセシビリティ 確認') {
  await page.goto(`${base}/signup`, { waitUntil: 'load' });
  await page.fill('#f-display_name', name);
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

/**
 * Gives `email` a ministry role or the expert flag with `koshu accounts role` (as the operator
 * of an installation does): `args` as that command takes them, e.g. `['--role', 'reviewer']`.
 */
export function grantRole(email, args) {
  const bin = process.env.KOSHU_TEST_BIN;
  const dataDir = process.env.KOSHU_TEST_DATA_DIR;
  if (!bin || !dataDir) throw new Error('KOSHU_TEST_BIN and KOSHU_TEST_DATA_DIR are needed to grant a role');
  execFileSync(bin, ['--data-dir', dataDir, 'accounts', 'role', email, ...args], { stdio: 'pipe' });
}

/**
 * Sets up two-factor authentication for the signed-in person, with a code computed here from
 * the key the page shows, as an authenticator app would.
 */
export async function setUpTwoFactor(page, base) {
  await page.goto(`${base}/account/two-factor`, { waitUntil: 'load' });
  const key = (await page.textContent('code.secret')).replace(/\s+/g, '');
  await page.fill('#f-code', totp(key, Date.now()));
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  if (!(await page.content()).includes('recovery-codes')) throw new Error('two-factor set-up did not finish');
}

/** RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits, from a base32 key. */
function totp(base32, nowMs) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19] & 0x0f;
  const word = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(word % 1000000).padStart(6, '0');
}

/** Registers a provider organisation through its form; returns the organisation's id. */
export async function registerOrganisation(page, base, name, corporateNumber = '5010001008846') {
  await page.goto(`${base}/organisations/new`, { waitUntil: 'load' });
  const fields = {
    name_ja: name,
    corporate_number: corporateNumber,
    address: '東京都千代田区霞が関1-3-1',
    representative: '代表取締役 確認 太郎',
    course_manager_name: '講習 責任者',
    course_manager_email: 'manager@example.jp',
    enrolment_admin_name: '受講 事務',
    enrolment_admin_email: 'enrol@example.jp',
    inquiry_name: '研修事務局',
    inquiry_email: 'info@example.jp',
    complaints_name: 'お客様相談室',
    complaints_phone: '03-1234-5678',
    privacy_policy_url: 'https://example.jp/privacy',
  };
  for (const [field, value] of Object.entries(fields)) await page.fill(`#f-${field}`, value);
  await page.check('input[name=privacy_kind][value=policy]');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  const match = page.url().match(/\/organisations\/([0-9a-f-]+)$/);
  if (!match) throw new Error(`registration ended at ${page.url()}`);
  return match[1];
}

/** Starts an application through the provider's form; returns its id. */
export async function createApplication(page, base, org, name) {
  await page.goto(`${base}/organisations/${org}/applications`, { waitUntil: 'load' });
  await page.fill('#f-name', name);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  const match = page.url().match(/\/applications\/([0-9a-f-]+)$/);
  if (!match) throw new Error(`creating the application ended at ${page.url()}`);
  return match[1];
}
