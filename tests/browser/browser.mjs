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
 * Makes `email` staff (an editor) of the demo's sample provider with `koshu accounts
 * sample-staff`, as the demo's instructions say; returns the organisation's id.
 */
export function becomeSampleStaff(email) {
  const bin = process.env.KOSHU_TEST_BIN;
  const dataDir = process.env.KOSHU_TEST_DATA_DIR;
  if (!bin || !dataDir) throw new Error('KOSHU_TEST_BIN and KOSHU_TEST_DATA_DIR are needed to make sample staff');
  const said = execFileSync(bin, ['--data-dir', dataDir, 'accounts', 'sample-staff', email], { stdio: 'pipe' }).toString();
  const match = said.match(/\/organisations\/([0-9a-f-]+)\/deliveries/);
  if (!match) throw new Error(`koshu accounts sample-staff said: ${said}`);
  return match[1];
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

/** A day in Japan (where the server's days are), `days` from today, as YYYY-MM-DD. */
export function jstDate(days = 0) {
  return new Date(Date.now() + 9 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** Lists a programme through the provider's form (the least it needs); returns its id. */
export async function listProgramme(page, base, org, title) {
  await page.goto(`${base}/organisations/${org}/programmes/new`, { waitUntil: 'load' });
  await page.fill('#f-title_ja', title);
  await page.fill('#f-summary_ja', 'ウェブアクセシビリティの基礎を学ぶ。');
  await page.fill('#f-purpose_ja', '誰もが使えるページを作れるようになる。');
  await page.fill('#f-duration_ja', '半日');
  await page.check('input[name=layers][value=practitioner]');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  const match = page.url().match(/\/programmes\/(p-[0-9a-f]+)\?done=created$/);
  if (!match) throw new Error(`listing the programme ended at ${page.url()}`);
  return match[1];
}

/** The timetable of a session set up by `deliveredSession`: one block tomorrow. */
const TOMORROWS_BLOCK = () => `${jstDate(1)} 10:00-12:00 演習`;

/**
 * Issue 15's set-up, through the provider's pages: a published programme `title` with one
 * session from today to tomorrow, set up for delivery (a block tomorrow; applications open a
 * week ago and close tonight, so that one may apply now). Returns the session's id.
 */
export async function deliveredSession(page, base, org, title) {
  const programme = await listProgramme(page, base, org, title);
  const listing = `${base}/organisations/${org}/programmes/${programme}`;
  await page.goto(`${listing}/sessions/new`, { waitUntil: 'load' });
  await page.fill('#f-starts_on', jstDate(0));
  await page.fill('#f-ends_on', jstDate(1));
  await page.selectOption('#f-prefecture', '13');
  await page.fill('#f-city', '千代田区');
  await page.fill('#f-venue', '霞が関研修室');
  await page.fill('#f-capacity', '10');
  await page.fill('#f-seats_left', '10');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  if (!new URL(page.url()).pathname.endsWith(programme)) throw new Error(`adding the session ended at ${page.url()}`);
  // The first of the publishing buttons is 公開する.
  const [published] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('main ul.inline-list form button[type=submit]'),
  ]);
  if (published?.status() !== 200 || !page.url().includes('done=publish')) {
    throw new Error(`publishing answered ${published?.status()} at ${page.url()}`);
  }
  const session = `${programme}-001`;
  await savePlan(page, base, org, session, { timetable: TOMORROWS_BLOCK(), opens_on: jstDate(-7), closes_on: jstDate(0) });
  return session;
}

/**
 * Makes a block of `session` live now (from 30 minutes before a block's start to its end, the
 * learner's page takes the venue's code and, with an online room, beats): a block today from
 * 00:00 to 23:59 before tomorrow's, at the venue and online (hybrid). The window must close
 * before the first block starts (D01), so applications closed yesterday.
 */
export async function makeLive(page, base, org, session) {
  await savePlan(page, base, org, session, {
    timetable: `${jstDate(0)} 00:00-23:59 演習\n${TOMORROWS_BLOCK()}`,
    opens_on: jstDate(-7),
    closes_on: jstDate(-1),
    online_room: 'https://meet.example.jp/r/a11y',
    // Issue 16: preparation on demand (item 1, with an item page), then today's block.
    curriculum: `60 ${jstDate(-7)}〜${jstDate(1)} 事前学習：ログの読み方 https://lms.example.jp/c/1\n120 1 演習`,
  });
}

/**
 * Makes `session` over now (issue 16: decisions are issued once every block has ended): its one
 * block today from 00:00 to 00:01, applications closed yesterday, as `makeLive` does.
 */
export async function makeOver(page, base, org, session) {
  await savePlan(page, base, org, session, {
    timetable: `${jstDate(0)} 00:00-00:01 演習`,
    opens_on: jstDate(-7),
    closes_on: jstDate(-1),
  });
}

/**
 * Opens the end-of-course survey of `session` (issue 16): it takes answers from the start of the
 * session's last block, so the plan keeps one block, today from 00:00 to 23:59 (still live).
 */
export async function openSurvey(page, base, org, session) {
  await savePlan(page, base, org, session, {
    timetable: `${jstDate(0)} 00:00-23:59 演習`,
    opens_on: jstDate(-7),
    closes_on: jstDate(-1),
    online_room: 'https://meet.example.jp/r/a11y',
  });
}

/** Saves the delivery plan of `session` through its form. */
async function savePlan(page, base, org, session, { timetable, opens_on, closes_on, online_room = '', curriculum = '' }) {
  await page.goto(`${base}/organisations/${org}/sessions/${session}/delivery`, { waitUntil: 'load' });
  await page.fill('#f-timetable', timetable);
  await page.fill('#f-venue', '霞が関研修室（東京都千代田区）');
  await page.fill('#f-online_room', online_room);
  await page.fill('#f-capacity', '10');
  await page.fill('#f-opens_on', opens_on);
  await page.fill('#f-closes_on', closes_on);
  await page.fill('#f-fee', '33,000');
  await page.check('input[name=audience][value=public]');
  await page.fill('#f-curriculum', curriculum);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  if (!page.url().includes('/roster?done=saved')) {
    const problems = (await page.textContent('main')).replace(/\s+/g, ' ').slice(0, 400);
    throw new Error(`saving the delivery plan ended at ${page.url()}: ${problems}`);
  }
}

/** The enrolment of the signed-in person listed first on /learning, as its page's path. */
export async function firstEnrolment(page, base) {
  await page.goto(`${base}/learning`, { waitUntil: 'load' });
  const href = await page.getAttribute('main table a[href^="/learning/"]', 'href');
  if (!href) throw new Error('/learning lists no enrolment');
  return href;
}
