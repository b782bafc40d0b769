// Keyboard-only use (JIS X 8341-3 / WCAG 2.1.1 Keyboard, 2.4.1 Bypass Blocks, 2.4.7 Focus
// Visible) in headless Chromium: from the home page, with Tab and Enter only, reach a programme
// page. In each language:
//   1. the first Tab lands on the skip link ("本文へスキップ" / "Skip to main content"), which is
//      on screen and has a visible focus outline; Enter on it moves focus to <main id="main">;
//   2. Tab (at most MAX_TABS presses per page) reaches a link to a programme page; if the home
//      page lists no programme directly, Tab first reaches "すべての講座を見る" (/search), Enter,
//      and then a programme link on the search page;
//   3. the focused programme link has a visible focus outline (outline-style is not `none`);
//   4. Enter opens the programme page, which has an <h1>.
// Then a reviewer's decision, signed in (the set-up through forms; the walk with keys only):
//   5. from the account page, Tab reaches the header's 審査 link and Enter opens the queue;
//   6. Tab reaches the demo sample's review and Enter opens it; Tab reaches 割り当てる, Enter;
//   7. Tab reaches the page's contents link 決定, Enter; Tab reaches 特定講習に指定する (within
//      MAX_TABS, not past every rule's finding), Enter opens the confirmation page; Tab reaches its
//      button (visible focus), Enter designates, and the workspace shows the number.
// And a provider listing a programme (the set-up through forms; the walk with keys only):
//   8. from the organisation's page, Tab reaches 掲載している講座, Enter; Tab reaches
//      講座を登録する, Enter; Tab to each field that must be filled, typing into it (Space
//      ticks a layer); Tab reaches 保存する, Enter: the programme is listed as a draft;
//   9. Tab reaches 公開する, Enter: the programme is published;
//  10. the upload page reached by Tab and Enter; its 確認する button pressed with Enter shows
//      the check's result;
//  11. from the organisation's page, Tab reaches API トークン, Enter; Tab to its name, typing;
//      Tab reaches 発行する (visible focus), Enter: the token's value is shown.
// And the sample provider's staff submit last month's implementation report (issue 19), by
// keyboard: the reports link, the month, the remarks, the submit button (reportJourney); and a
// reviewer filters the ministry's view, focuses its table and opens a month (ministryReportsJourney).
// And a session delivered (issue 15; the provider's set-up through forms, the walks with keys):
//  12. a learner on the session's enrolment page: Tab to the name and its kana, typing; Tab to
//      the consent box, Space; Tab reaches 申し込む (visible focus), Enter: their enrolment's
//      page says they have applied;
//  13. a block goes live; from the account page Tab reaches the header's 受講 link, Enter; Tab
//      reaches the enrolment, Enter; Tab reaches the check-in code (visible focus), typing the
//      code the venue's screen shows; Tab reaches 記録する, Enter: the check-in is recorded;
//  14. staff on the roster: Tab reaches 本人確認（受付）, Enter; Tab into the learner's radio
//      group of methods (visible focus), an arrow key picks the video call; Tab to the note,
//      typing; Tab reaches 確認を記録する, Enter: the desk shows the learner checked;
//  15. the venue's screen replaces its code in place; Tab reaches 自動更新を止める (visible
//      focus), Enter stops it (the button then offers to resume);
//  16. the learner's on-demand item from the progress table, started with Enter (issue 16);
//  17. the 要フォロー list: the method chosen with an arrow key, a note typed, フォローを記録する;
//  18. the learner on the enrolment page: Tab reaches 質問・お知らせ, Enter; Tab to the question,
//      typing; Tab to 名前を他の受講者に表示しない, Space; Tab reaches 質問する, Enter: the board
//      shows the question, anonymous to other learners (issue 16, D08).
//  19. the end-of-course survey (opened by the provider through forms): on the enrolment page Tab reaches 修了アンケートに回答する, Enter; Tab into each required
//      item's radio group (visible focus), an arrow key picks a point; Tab to the first free
//      text, typing; Tab reaches 回答を送信する (visible focus), Enter: the page says 回答済み.
// And a decision of completion (issue 16; the criteria, the learner's application and the end of
// the session through forms; the walk with keys):
//  20. staff on the completion page: Tab reaches the learner's 評価を記録 link, Enter; Tab to the
//      score (visible focus), typing it; Tab reaches 記録する, Enter: the result is recorded;
//      Tab reaches 未修了として確定する (the learner neither attended nor answered the survey;
//      visible focus), Enter: the decision is issued and the page lists it.
// And a certificate checked by anyone, signed out (issue 17), in each language:
//  21. on the verification form, Tab reaches the paste box (visible focus), typing a certificate
//      (the W3C test vector, signed by a key its issuer does not control); Tab reaches 検証する
//      (visible focus), Enter: the verdict page says it does not verify; Tab reaches
//      別の修了証を検証する, Enter: the form again; text that is not JSON, Enter: the error.
// And a RISS holder's ledger (issue 18), signed in, in each language:
//  22. on the ledger, Tab reaches 登録情報を入力する, Enter; Tab to the number and the
//      registration date (set as its date picker would); Tab reaches 保存する (visible focus), Enter: the ledger shows
//      the period's courses; Tab reaches 講習を追加する, Enter; Tab into the kind's radio group,
//      Space; Tab to the title, provider and date, typing; Tab to the certificate file (chosen as
//      the system's dialog would); Tab reaches 追加する (visible focus), Enter: the ledger lists it.
//
//   node tests/browser/keyboard.mjs http://127.0.0.1:8080
//
// Exits 0 when every step passes, 1 with a message naming the failed step, 2 on a usage error.

import {
  baseUrl,
  becomeSampleStaff,
  deliveredSession,
  grantRole,
  launch,
  makeLive,
  makeOver,
  openSurvey,
  registerOrganisation,
  jstDate,
  setUpTwoFactor,
  signIn,
  signUpAndSignInOn,
} from './browser.mjs';
import { readFileSync } from 'node:fs';

const MAX_TABS = 60;

const JOURNEYS = [
  { lang: 'ja', home: '/', prefix: '', skipText: '本文へスキップ' },
  { lang: 'en', home: '/en/', prefix: '/en', skipText: 'Skip to main content' },
];


class StepFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailed(message);
}

/** What has keyboard focus now, with the styles that make focus visible. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', describe: '<body> (nothing focused)' };
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const tag = el.tagName.toLowerCase();
    const href = el.getAttribute('href');
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    return {
      tag,
      id: el.id,
      href,
      text,
      name: el.getAttribute('name'),
      value: el.getAttribute('value'),
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
      onScreen: rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0 &&
        rect.left < window.innerWidth && rect.top < window.innerHeight,
      describe: `<${tag}${el.id ? ` id="${el.id}"` : ''}${href ? ` href="${href}"` : ''}> "${text.slice(0, 60)}"`,
    };
  });
}

/** Presses Tab until `wanted(focused)` holds; returns the focused element. */
async function tabTo(page, wanted, what, maxTabs = MAX_TABS) {
  const seen = [];
  for (let i = 1; i <= maxTabs; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f.describe);
    if (wanted(f)) {
      console.log(`  Tab x${i} -> ${f.describe}`);
      return f;
    }
  }
  throw new StepFailed(
    `${maxTabs} presses of Tab on ${page.url()} never reached ${what}; focus went through:\n    ` +
      seen.slice(-40).join('\n    '),
  );
}

function checkFocusVisible(f) {
  check(
    f.outlineStyle !== 'none' && f.outlineWidth !== '0px',
    `no visible focus indicator on ${f.describe}: outline-style ${f.outlineStyle}, outline-width ${f.outlineWidth}`,
  );
  console.log(`  focus indicator: outline ${f.outlineStyle} ${f.outlineWidth}`);
}

async function pressEnterAndWait(page, pathStartsWith) {
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith(pathStartsWith), { timeout: 15_000 }),
    page.keyboard.press('Enter'),
  ]);
  await page.waitForLoadState('load');
}

async function journey(context, base, { lang, home, prefix, skipText }) {
  const page = await context.newPage();
  try {
    console.log(`${lang}: ${home}`);
    const response = await page.goto(base + home, { waitUntil: 'load' });
    check(response?.status() === 200, `${home} answered ${response?.status()}, not 200`);

    // 1. Skip link first, visible, and it works.
    await page.keyboard.press('Tab');
    const first = await focused(page);
    console.log(`  Tab x1 -> ${first.describe}`);
    check(
      first.tag === 'a' && first.text === skipText,
      `the first Tab should land on the skip link "${skipText}", but focused ${first.describe}`,
    );
    check(first.onScreen, `the focused skip link is not on screen: ${first.describe}`);
    checkFocusVisible(first);
    await page.keyboard.press('Enter');
    const afterSkip = await focused(page);
    check(
      afterSkip.id === 'main' && new URL(page.url()).hash === '#main',
      `Enter on the skip link should move focus to <main id="main">, but focused ${afterSkip.describe} (${page.url()})`,
    );
    console.log(`  Enter -> ${afterSkip.describe}`);

    // 2. A programme link, directly or through the search page.
    const programmePath = `${prefix}/programmes/`;
    const isProgrammeLink = (f) => f.tag === 'a' && (f.href ?? '').startsWith(programmePath);
    const listsProgrammes = await page.evaluate(
      (p) => document.querySelector(`main a[href^="${p}"]`) !== null,
      programmePath,
    );
    if (!listsProgrammes) {
      const searchPath = `${prefix}/search`;
      await tabTo(page, (f) => f.tag === 'a' && f.href === searchPath, `the link to ${searchPath}`);
      await pressEnterAndWait(page, searchPath);
      console.log(`  Enter -> ${new URL(page.url()).pathname}`);
    }
    const link = await tabTo(page, isProgrammeLink, `a link to ${programmePath}...`);

    // 3. Visible focus on it.
    checkFocusVisible(link);

    // 4. Enter opens the programme page.
    await pressEnterAndWait(page, programmePath);
    const path = new URL(page.url()).pathname;
    check(path === link.href, `Enter on ${link.describe} opened ${path}`);
    const h1 = await page.evaluate(() => document.querySelector('h1')?.textContent?.trim() ?? '');
    check(h1 !== '', `the programme page ${path} has no <h1>`);
    console.log(`  Enter -> ${path}: <h1> "${h1}"`);
  } finally {
    await page.close();
  }
}

/** A button whose text is `text`. */
const button = (text) => (f) => f.tag === 'button' && f.text === text;

/** Enter on the focused control, and the page it leads to (a form's POST and its redirect). */
async function pressEnterAndLoad(page) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }), page.keyboard.press('Enter')]);
}

async function reviewerJourney(browser, base) {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  try {
    const email = `keyboard-reviewer-${Date.now()}@example.jp`;
    await signUpAndSignInOn(page, base, email, '鍵盤 審査');
    grantRole(email, ['--role', 'administrator']);
    await signIn(page, base, email);
    await setUpTwoFactor(page, base);
    console.log('reviewer: /account');
    await page.goto(`${base}/account`, { waitUntil: 'load' });

    const queue = await tabTo(page, (f) => f.tag === 'a' && f.href === '/ministry/reviews' && f.text === '審査', 'the header\'s 審査 link');
    checkFocusVisible(queue);
    await pressEnterAndWait(page, '/ministry/reviews');

    const review = await tabTo(page, (f) => f.tag === 'a' && /^\/ministry\/reviews\/[0-9a-f-]+$/.test(f.href ?? '') && f.text.includes('（サンプル）'), 'the sample\'s review');
    await pressEnterAndWait(page, review.href);
    await tabTo(page, button('割り当てる'), 'the 割り当てる button');
    await pressEnterAndLoad(page);
    check((await page.textContent('main')).includes('審査中'), `assigning by keyboard did not start the review (${page.url()})`);

    // The page's own contents list skips every rule's finding (a select and a comment each).
    await tabTo(page, (f) => f.tag === 'a' && f.href === '#decide', 'the 決定 link of the page\'s contents');
    await page.keyboard.press('Enter');
    await tabTo(page, button('特定講習に指定する'), 'the 特定講習に指定する button');
    await pressEnterAndLoad(page);
    check((await page.textContent('h1')).includes('決定の確認'), `Enter on 特定講習に指定する opened ${page.url()}, not the confirmation`);
    const confirm = await tabTo(page, button('この内容で指定する'), 'the confirmation\'s button');
    checkFocusVisible(confirm);
    await pressEnterAndLoad(page);
    check((await page.textContent('main')).includes('特講'), `the designation by keyboard shows no number (${page.url()})`);
    console.log(`  Enter -> ${new URL(page.url()).pathname}: designated`);
    await ministryReportsWalk(page, base);
  } finally {
    await context.close();
  }
}

/** The provider's walk in one language: its path prefix and the words of its buttons. */
const PROVIDER_WORDS = {
  ja: { corporate: '5010001008846', prefix: '', save: '保存する', publish: '公開する', published: '公開しました', check: '確認する', checked: '何も反映していません', create: '発行する' },
  en: { corporate: '4000012090001', prefix: '/en', save: 'Save', publish: 'Publish', published: 'Published', check: 'Check', checked: 'nothing was applied', create: 'Create' },
};

async function providerJourney(browser, base, lang) {
  const w = PROVIDER_WORDS[lang];
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  try {
    await signUpAndSignInOn(page, base, `keyboard-provider-${Date.now()}@example.jp`, '鍵盤 提供');
    const org = await registerOrganisation(page, base, `株式会社キーボード確認（${lang}）`, w.corporate);
    console.log(`provider (${lang}): ${w.prefix}/organisations/${org}`);
    await page.goto(`${base}${w.prefix}/organisations/${org}`, { waitUntil: 'load' });
    const listed = `${w.prefix}/organisations/${org}/programmes`;
    await tabTo(page, (f) => f.tag === 'a' && f.href === listed, 'the 掲載している講座 link');
    await pressEnterAndWait(page, listed);
    await tabTo(page, (f) => f.tag === 'a' && f.href === `${listed}/new`, 'the 講座を登録する link');
    await pressEnterAndWait(page, `${listed}/new`);
    for (const [id, text] of [
      ['f-title_ja', 'キーボードだけで登録した講座'],
      ['f-summary_ja', 'キーボード操作だけで登録できることを確かめる。'],
      ['f-purpose_ja', '誰もが登録できること。'],
    ]) {
      await tabTo(page, (f) => f.id === id, `the field ${id}`);
      await page.keyboard.type(text);
    }
    await tabTo(page, (f) => f.id === 'f-layers', 'the first target layer');
    await page.keyboard.press('Space');
    await tabTo(page, (f) => f.id === 'f-duration_ja', 'the duration');
    await page.keyboard.type('半日');
    const save = await tabTo(page, button(w.save), `the ${w.save} button`, 120);
    checkFocusVisible(save);
    await pressEnterAndLoad(page);
    check(page.url().includes('?done=created'), `saving by keyboard ended at ${page.url()}`);
    console.log(`  Enter -> ${new URL(page.url()).pathname}: listed as a draft`);
    await tabTo(page, button(w.publish), `the ${w.publish} button`);
    await pressEnterAndLoad(page);
    const afterPublish = (await page.textContent('main')) ?? '';
    check(afterPublish.includes(w.published), `publishing by keyboard did not publish (${page.url()}): ${afterPublish.replace(/\s+/g, ' ').slice(0, 300)}`);
    console.log('  Enter -> published');

    // A spreadsheet checked, with keys only (the file is chosen in the system's own dialog,
    // which is outside the page: set here as that dialog would).
    await page.goto(`${base}${listed}`, { waitUntil: 'load' });
    await tabTo(page, (f) => f.tag === 'a' && f.href === `${listed}/upload`, 'the Excel・CSV upload link');
    await pressEnterAndWait(page, `${listed}/upload`);
    await tabTo(page, (f) => f.tag === 'input' && f.id === 'f-file', 'the file field');
    await page.setInputFiles('#f-file', { name: '講座.csv', mimeType: 'text/csv', buffer: Buffer.from('管理番号,講座名\r\n') });
    const check_ = await tabTo(page, button(w.check), `the ${w.check} button`);
    checkFocusVisible(check_);
    await pressEnterAndLoad(page);
    check((await page.textContent('main')).includes(w.checked), `checking by keyboard showed no result (${page.url()})`);
    console.log('  Enter -> the upload checked: problems listed by sheet, row and column');

    // An API token for the organisation's own system, with keys only.
    await page.goto(`${base}${w.prefix}/organisations/${org}`, { waitUntil: 'load' });
    const tokens = `${w.prefix}/organisations/${org}/tokens`;
    await tabTo(page, (f) => f.tag === 'a' && f.href === tokens, 'the API トークン link');
    await pressEnterAndWait(page, tokens);
    await tabTo(page, (f) => f.id === 'f-name', 'the token name');
    await page.keyboard.type('LMS 連携');
    const create = await tabTo(page, button(w.create), `the ${w.create} button`);
    checkFocusVisible(create);
    await pressEnterAndLoad(page);
    check((await page.textContent('main')).includes('koshu_'), `creating a token by keyboard showed no value (${page.url()})`);
    console.log('  Enter -> API token created, its value shown once');
  } finally {
    await context.close();
  }
}

/**
 * Issue 15 with keys only: a learner applies and checks in with the venue's code, and staff
 * record the learner's identity at the desk. The provider sets the session up through forms.
 */
async function deliveryJourney(browser, base) {
  const staffContext = await browser.newContext({ locale: 'ja-JP' });
  const learnerContext = await browser.newContext({ locale: 'ja-JP' });
  try {
    const staff = await staffContext.newPage();
    await signUpAndSignInOn(staff, base, `keyboard-staff-${Date.now()}@example.jp`, '鍵盤 実施');
    const org = await registerOrganisation(staff, base, '株式会社キーボード実施', '4010001034760');
    const session = await deliveredSession(staff, base, org, 'キーボードで受講する演習');
    const run = `/organisations/${org}/sessions/${session}`;

    // 12. The enrolment form.
    const learner = await learnerContext.newPage();
    await signUpAndSignInOn(learner, base, `keyboard-learner-${Date.now()}@example.jp`, '鍵盤 受講');
    console.log(`learner: /sessions/${session}/enrol`);
    await learner.goto(`${base}/sessions/${session}/enrol`, { waitUntil: 'load' });
    for (const [id, text] of [
      ['f-name', '鍵盤 花子'],
      ['f-name_kana', 'ケンバン ハナコ'],
    ]) {
      await tabTo(learner, (f) => f.id === id, `the field ${id}`);
      await learner.keyboard.type(text);
    }
    const consent = await tabTo(learner, (f) => f.id === 'f-consent', 'the consent box');
    checkFocusVisible(consent);
    await learner.keyboard.press('Space');
    const apply = await tabTo(learner, button('申し込む'), 'the 申し込む button');
    checkFocusVisible(apply);
    await pressEnterAndLoad(learner);
    check(
      /^\/learning\/[0-9a-f-]+$/.test(new URL(learner.url()).pathname) && (await learner.textContent('main')).includes('申し込みました'),
      `applying by keyboard ended at ${learner.url()}: ${((await learner.textContent('main')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log(`  Enter -> ${new URL(learner.url()).pathname}: applied`);

    // 13. From the header to the enrolment, and the venue's code typed in.
    await makeLive(staff, base, org, session);
    await learner.goto(`${base}/account`, { waitUntil: 'load' });
    const courses = await tabTo(learner, (f) => f.tag === 'a' && f.href === '/learning' && f.text === '受講', 'the header\'s 受講 link');
    checkFocusVisible(courses);
    await pressEnterAndWait(learner, '/learning');
    const mine = await tabTo(learner, (f) => f.tag === 'a' && /^\/learning\/[0-9a-f-]+$/.test(f.href ?? ''), 'the enrolment');
    await pressEnterAndWait(learner, mine.href);
    const codeField = await tabTo(learner, (f) => f.id === 'code-1', 'the check-in code of block 1');
    checkFocusVisible(codeField);
    await staff.goto(`${base}${run}/blocks/1/code`, { waitUntil: 'load' });
    const digits = ((await staff.textContent('.code-digits')) ?? '').replace(/\D/g, '');
    check(digits.length === 6, `the venue's screen shows no six-digit code: ${JSON.stringify(digits)}`);
    await learner.keyboard.type(digits);
    await tabTo(learner, button('記録する'), 'the 記録する button');
    await pressEnterAndLoad(learner);
    check(
      learner.url().includes('done=checked'),
      `checking in by keyboard ended at ${learner.url()}: ${((await learner.textContent('main')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> checked in with the venue\'s code');

    // 14. The identity desk.
    console.log(`staff: ${run}/roster`);
    await staff.goto(`${base}${run}/roster`, { waitUntil: 'load' });
    await tabTo(staff, (f) => f.tag === 'a' && f.href === `${run}/check-in` && f.text === '本人確認（受付）', 'the 本人確認（受付） link');
    await pressEnterAndWait(staff, `${run}/check-in`);
    const method = await tabTo(staff, (f) => f.tag === 'input' && f.name === 'method', 'the learner\'s identity methods');
    checkFocusVisible(method);
    await staff.keyboard.press('ArrowDown');
    const video = await focused(staff);
    check(video.value === 'video', `the arrow key should pick the video call, but focused ${video.describe} (${video.value})`);
    console.log(`  ArrowDown -> ${video.value}`);
    await tabTo(staff, (f) => f.tag === 'input' && f.name === 'note', 'the note');
    await staff.keyboard.type('キーボードで記録');
    const record = await tabTo(staff, (f) => f.tag === 'button' && f.text.startsWith('確認を記録する'), 'the 確認を記録する button');
    checkFocusVisible(record);
    await pressEnterAndLoad(staff);
    const desk = (await staff.textContent('main')) ?? '';
    check(
      staff.url().includes('done=checked') && desk.includes('確認済み') && desk.includes('ビデオ通話'),
      `recording the check by keyboard ended at ${staff.url()}: ${desk.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the identity check recorded (photo ID on video)');

    // 15. The venue's screen replaces its code by itself, and staff stop that with the keys.
    await staff.goto(`${base}${run}/blocks/1/code`, { waitUntil: 'load' });
    await staff.evaluate(() => document.querySelector('.code-digits').setAttribute('data-shown', 'first'));
    await staff.waitForFunction(() => document.querySelector('.code-digits:not([data-shown])') !== null, null, { timeout: 20_000 });
    console.log('  the code on the venue\'s screen was replaced in place');
    const stop = await tabTo(staff, button('自動更新を止める'), 'the 自動更新を止める button');
    checkFocusVisible(stop);
    await staff.keyboard.press('Enter');
    const resume = await focused(staff);
    check(resume.text === '自動更新を再開する', `Enter on 自動更新を止める left ${resume.describe}`);
    console.log(`  Enter -> ${resume.describe}`);

    // 16. The learner's on-demand item, from the enrolment's progress table, started.
    await learner.goto(`${base}${mine.href}`, { waitUntil: 'load' });
    const item = await tabTo(learner, (f) => f.tag === 'a' && f.href === `${mine.href}/items/1`, 'the on-demand item in the progress table');
    checkFocusVisible(item);
    await pressEnterAndWait(learner, `${mine.href}/items/1`);
    await tabTo(learner, button('学習を開始する'), 'the 学習を開始する button');
    await pressEnterAndLoad(learner);
    check(learner.url().includes('done=start'), `starting the item by keyboard ended at ${learner.url()}`);
    console.log('  Enter -> the item started');

    // 17. The 要フォロー list: the learner is behind on the preparation; staff record a call.
    console.log(`staff: ${run}/attendance`);
    await staff.goto(`${base}${run}/attendance`, { waitUntil: 'load' });
    await tabTo(staff, (f) => f.tag === 'a' && f.href === `${run}/follow-up` && f.text === '要フォロー', 'the 要フォロー link');
    await pressEnterAndWait(staff, `${run}/follow-up`);
    const how = await tabTo(staff, (f) => f.tag === 'select' && f.name === 'method', 'how the learner was contacted');
    checkFocusVisible(how);
    await staff.keyboard.press('ArrowDown');
    await tabTo(staff, (f) => f.tag === 'textarea' && f.name === 'note', 'the note');
    await staff.keyboard.type('キーボードで記録');
    const followed = await tabTo(staff, (f) => f.tag === 'button' && f.text.startsWith('フォローを記録する'), 'the フォローを記録する button');
    checkFocusVisible(followed);
    await pressEnterAndLoad(staff);
    const list = (await staff.textContent('main')) ?? '';
    check(
      staff.url().includes('done=recorded') && list.includes('キーボードで記録'),
      `recording the follow-up by keyboard ended at ${staff.url()}: ${list.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the follow-up recorded, the learner off the list');
    // 18. The session's board: a question asked without the name.
    await askOnTheBoard(learner, base, mine.href);
    // 19. The end-of-course survey, answered with the keys alone.
    await openSurvey(staff, base, org, session);
    console.log(`learner: ${mine.href}`);
    await learner.goto(`${base}${mine.href}`, { waitUntil: 'load' });
    const surveyLink = await tabTo(learner, (f) => f.tag === 'a' && f.href === `${mine.href}/survey`, 'the 修了アンケートに回答する link');
    checkFocusVisible(surveyLink);
    await pressEnterAndWait(learner, `${mine.href}/survey`);
    for (const item of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) {
      const group = await tabTo(learner, (f) => f.tag === 'input' && f.name === `answers.${item}`, `the radio group of ${item}`);
      checkFocusVisible(group);
      await learner.keyboard.press('ArrowDown');
      const picked = await focused(learner);
      check(picked.name === `answers.${item}` && picked.value === '2', `the arrow key should pick the second choice of ${item}, but focused ${picked.describe} (${picked.value})`);
    }
    await tabTo(learner, (f) => f.tag === 'textarea' && f.name === 'answers.m7', 'the first free text');
    await learner.keyboard.type('キーボードだけで回答しました');
    const send = await tabTo(learner, button('回答を送信する'), 'the 回答を送信する button');
    checkFocusVisible(send);
    await pressEnterAndLoad(learner);
    const answered = (await learner.textContent('main')) ?? '';
    check(
      learner.url().includes('done=answered') && answered.includes('回答済み') && !answered.includes('キーボードだけで回答しました'),
      `answering by keyboard ended at ${learner.url()}: ${answered.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the survey answered (回答済み), the answer not shown back');
  } finally {
    await learnerContext.close();
    await staffContext.close();
  }
}

/**
 * Issue 16 (D08) with keys only, on the learner's enrolment page: Tab reaches 質問・お知らせ,
 * Enter; Tab to the question, typing; Tab to 名前を他の受講者に表示しない, Space; Tab reaches
 * 質問する (visible focus), Enter: the board shows the question as theirs, anonymous to others.
 */
async function askOnTheBoard(learner, base, enrolment) {
  const board = `${enrolment}/board`;
  console.log(`learner: ${enrolment}`);
  await learner.goto(`${base}${enrolment}`, { waitUntil: 'load' });
  const link = await tabTo(learner, (f) => f.tag === 'a' && f.href === board, 'the 質問・お知らせ link');
  checkFocusVisible(link);
  await pressEnterAndWait(learner, board);
  const question = await tabTo(learner, (f) => f.id === 'f-body', 'the question');
  checkFocusVisible(question);
  await learner.keyboard.type('キーボードだけで質問しています。');
  const anonymous = await tabTo(learner, (f) => f.id === 'f-anonymous', 'the 名前を他の受講者に表示しない box');
  checkFocusVisible(anonymous);
  await learner.keyboard.press('Space');
  const ask = await tabTo(learner, button('質問する'), 'the 質問する button');
  checkFocusVisible(ask);
  await pressEnterAndLoad(learner);
  const main = ((await learner.textContent('main')) ?? '').replace(/\s+/g, ' ');
  check(
    learner.url().includes('done=asked') && main.includes('キーボードだけで質問しています') && main.includes('他の受講者には匿名で表示'),
    `asking by keyboard ended at ${learner.url()}: ${main.slice(0, 300)}`,
  );
  console.log('  Enter -> the question asked, anonymous to other learners');
}

/**
 * Issue 16 with keys only: staff record a learner's score and issue the decision computed from
 * it. The set-up through forms: the criteria published, a learner applied, the session over.
 */
async function completionJourney(browser, base) {
  const staffContext = await browser.newContext({ locale: 'ja-JP' });
  const learnerContext = await browser.newContext({ locale: 'ja-JP' });
  try {
    const staff = await staffContext.newPage();
    await signUpAndSignInOn(staff, base, `keyboard-assessor-${Date.now()}@example.jp`, '鍵盤 評価');
    const org = await registerOrganisation(staff, base, '株式会社キーボード評価', '7010001008844');
    const session = await deliveredSession(staff, base, org, 'キーボードで評価する演習');
    const run = `/organisations/${org}/sessions/${session}`;
    await staff.goto(`${base}${run}/completion/criteria`, { waitUntil: 'load' });
    await staff.fill('#f-assessments-0-pass_score', '70');
    await staff.fill('#f-min_attendance_percent', '80');
    await Promise.all([staff.waitForNavigation({ waitUntil: 'load' }), staff.click('main form button[type=submit]')]);
    check(staff.url().includes('/completion?done=criteria'), `saving the criteria ended at ${staff.url()}`);
    const learner = await learnerContext.newPage();
    await signUpAndSignInOn(learner, base, `keyboard-assessed-${Date.now()}@example.jp`, '鍵盤 受講');
    await learner.goto(`${base}/sessions/${session}/enrol`, { waitUntil: 'load' });
    await learner.fill('#f-name', '鍵盤 次郎');
    await learner.fill('#f-name_kana', 'ケンバン ジロウ');
    await learner.check('#f-consent');
    await Promise.all([learner.waitForNavigation({ waitUntil: 'load' }), learner.click('main form button[type=submit]')]);
    check(learner.url().includes('done=applied'), `applying ended at ${learner.url()}`);
    await makeOver(staff, base, org, session);

    // 20. The learner's score recorded and the decision issued, with keys only.
    console.log(`staff: ${run}/completion`);
    await staff.goto(`${base}${run}/completion`, { waitUntil: 'load' });
    const marks = await tabTo(staff, (f) => f.tag === 'a' && (f.href ?? '').startsWith(`${run}/completion/enrolments/`), 'the learner\'s 評価を記録 link');
    checkFocusVisible(marks);
    await pressEnterAndWait(staff, marks.href);
    const score = await tabTo(staff, (f) => f.id === 'f-score', 'the score');
    checkFocusVisible(score);
    await staff.keyboard.type('80');
    const recordButton = await tabTo(staff, button('記録する'), 'the 記録する button');
    checkFocusVisible(recordButton);
    await pressEnterAndLoad(staff);
    check(
      staff.url().includes('done=recorded') && (await staff.textContent('main')).includes('80点'),
      `recording the score by keyboard ended at ${staff.url()}: ${((await staff.textContent('main')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the score recorded');
    const issue = await tabTo(staff, button('未修了として確定する'), 'the 未修了として確定する button');
    checkFocusVisible(issue);
    await pressEnterAndLoad(staff);
    const issued = (await staff.textContent('main')) ?? '';
    check(
      staff.url().includes('done=confirmed') && issued.includes('未修了（'),
      `issuing the decision by keyboard ended at ${staff.url()}: ${issued.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the decision issued (未修了, with its reasons)');
  } finally {
    await learnerContext.close();
    await staffContext.close();
  }
}

const VECTOR = readFileSync(new URL('../../crates/credentials/tests/vectors/signedDataInt.json', import.meta.url), 'utf8');

async function verificationJourney(browser, base, lang) {
  const context = await browser.newContext({ locale: lang === 'en' ? 'en-GB' : 'ja-JP' });
  const prefix = lang === 'en' ? '/en' : '';
  const t = (ja, en) => (lang === 'en' ? en : ja);
  try {
    const page = await context.newPage();
    console.log(`anyone: ${prefix}/verify`);
    await page.goto(`${base}${prefix}/verify`, { waitUntil: 'load' });
    const box = await tabTo(page, (f) => f.id === 'credential', 'the paste box');
    checkFocusVisible(box);
    await page.keyboard.insertText(VECTOR);
    const verify = await tabTo(page, button(t('検証する', 'Verify')), 'the Verify button');
    checkFocusVisible(verify);
    await pressEnterAndLoad(page);
    const verdict = (await page.textContent('main')) ?? '';
    check(
      verdict.includes(t('この修了証は検証できません', 'This certificate does not verify')),
      `the verdict by keyboard: ${verdict.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the verdict (does not verify)');
    const another = await tabTo(page, (f) => f.tag === 'a' && f.href === `${prefix}/verify`, 'the link to verify another');
    checkFocusVisible(another);
    // The verdict's address is /verify already (the form's POST): wait for the new page itself.
    await pressEnterAndLoad(page);
    await tabTo(page, (f) => f.id === 'credential', 'the paste box');
    await page.keyboard.type('not json');
    await tabTo(page, button(t('検証する', 'Verify')), 'the Verify button');
    await pressEnterAndLoad(page);
    const refused = (await page.textContent('main')) ?? '';
    check(
      refused.includes(t('修了証として読めません', 'cannot be read as a certificate')),
      `text that is not JSON, by keyboard: ${refused.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the error names what cannot be read');
  } finally {
    await context.close();
  }
}

/** Sets the focused date field as its own date picker would (the segments and their order are
 * the browser's, by locale), keeping the focus on it for the next Tab. */
async function typeDate(page, selector, isoDate) {
  await page.fill(selector, isoDate);
  await page.focus(selector);
}

async function holderJourney(browser, base, lang) {
  const context = await browser.newContext({ locale: lang === 'en' ? 'en-GB' : 'ja-JP' });
  const prefix = lang === 'en' ? '/en' : '';
  const t = (ja, en) => (lang === 'en' ? en : ja);
  try {
    const page = await context.newPage();
    await signUpAndSignInOn(page, base, `keyboard-holder-${lang}-${Date.now()}@example.jp`, '鍵盤 登録');
    console.log(`holder: ${prefix}/holder`);
    await page.goto(`${base}${prefix}/holder`, { waitUntil: 'load' });
    await tabTo(page, (f) => f.tag === 'a' && f.href === `${prefix}/holder/link`, 'the link to enter the registration');
    await pressEnterAndWait(page, `${prefix}/holder/link`);
    await tabTo(page, (f) => f.id === 'f-riss_number', 'the registration number');
    await page.keyboard.type('012345');
    await tabTo(page, (f) => f.id === 'f-registered_on', 'the registration date');
    await typeDate(page, '#f-registered_on', '2025-10-01');
    const save = await tabTo(page, button(t('保存する', 'Save')), 'the Save button');
    checkFocusVisible(save);
    await pressEnterAndLoad(page);
    const ledger = (await page.textContent('main')) ?? '';
    check(
      ledger.includes(t('今の登録期間の講習', 'Courses of the current period')),
      `linking by keyboard did not show the ledger (${page.url()}): ${ledger.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the ledger with the period\'s courses');
    await tabTo(page, (f) => f.tag === 'a' && f.href === `${prefix}/holder/courses/new`, 'the link to add a course');
    await pressEnterAndWait(page, `${prefix}/holder/courses/new`);
    const kind = await tabTo(page, (f) => f.tag === 'input' && f.name === 'kind', 'the kind of course');
    checkFocusVisible(kind);
    await page.keyboard.press('Space');
    await tabTo(page, (f) => f.id === 'f-title', 'the course title');
    await page.keyboard.type(t('オンライン講習', 'Online course'));
    await tabTo(page, (f) => f.id === 'f-provider', 'the provider');
    await page.keyboard.type('IPA');
    await tabTo(page, (f) => f.id === 'f-completed_on', 'the completion date');
    await typeDate(page, '#f-completed_on', '2026-06-01');
    await tabTo(page, (f) => f.tag === 'input' && f.id === 'f-file', 'the certificate file');
    await page.setInputFiles('#f-file', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n') });
    const add = await tabTo(page, button(t('追加する', 'Add')), 'the Add button');
    checkFocusVisible(add);
    await pressEnterAndLoad(page);
    const added = (await page.textContent('main')) ?? '';
    check(
      added.includes(t('講習を台帳に追加しました', 'The course is in your ledger')) && added.includes('IPA'),
      `adding a course by keyboard (${page.url()}): ${added.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the ledger lists the course with its certificate');
  } finally {
    await context.close();
  }
}

/**
 * The sample provider's staff submit last month's implementation report (issue 19): from the
 * organisation's page, Tab reaches 実施状況報告書, Enter; Tab reaches last month's report, Enter;
 * Tab to the remarks, typing; Tab reaches この内容で提出する (visible focus), Enter: submitted.
 */
async function reportJourney(browser, base) {
  const context = await browser.newContext({ locale: 'ja-JP' });
  try {
    const page = await context.newPage();
    const email = `keyboard-reports-${Date.now()}@example.jp`;
    await signUpAndSignInOn(page, base, email, '鍵盤 報告');
    const org = becomeSampleStaff(email);
    console.log(`reports: /organisations/${org}`);
    await page.goto(`${base}/organisations/${org}`, { waitUntil: 'load' });
    await tabTo(page, (f) => f.tag === 'a' && f.href === `/organisations/${org}/reports`, 'the link to the implementation reports');
    await pressEnterAndWait(page, `/organisations/${org}/reports`);
    const today = jstDate(0);
    const [y, m] = today.split('-').map(Number);
    const last = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    const month = await tabTo(page, (f) => f.tag === 'a' && (f.href ?? '').endsWith(`/${last}`), `last month's report (${last})`);
    checkFocusVisible(month);
    await pressEnterAndWait(page, month.href);
    await tabTo(page, (f) => f.id === 'remarks', 'the remarks');
    await page.keyboard.type('キーボードで提出');
    const submit = await tabTo(page, button('この内容で提出する'), 'the submit button');
    checkFocusVisible(submit);
    await pressEnterAndLoad(page);
    const done = (await page.textContent('main')) ?? '';
    check(
      done.includes('報告書を提出しました') && done.includes('キーボードで提出'),
      `submitting by keyboard (${page.url()}): ${done.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
    console.log('  Enter -> the report submitted as version 1, its remarks shown');
  } finally {
    await context.close();
  }
}

/**
 * The ministry's view of the implementation reports (issue 19), by keyboard: from the account
 * page, Tab reaches the header's 実施状況報告, Enter; Tab to the provider and the period, an
 * arrow key picks each; Tab reaches 絞り込む, Enter: the filtered table; Tab reaches the
 * scrollable table (visible focus) and a month's cell, Enter: that course's report; back, and
 * the totals' table with its bars is there with its caption. Walked by the reviewer's
 * journey's administrator (one sign-up fewer: the server allows ten an hour from one address).
 */
async function ministryReportsWalk(page, base) {
  console.log('ministry reports: /account');
  await page.goto(`${base}/account`, { waitUntil: 'load' });
  const link = await tabTo(page, (f) => f.tag === 'a' && f.href === '/ministry/course-reports' && f.text === '実施状況報告', 'the header\'s 実施状況報告 link');
  checkFocusVisible(link);
  await pressEnterAndWait(page, '/ministry/course-reports');
  const provider = await tabTo(page, (f) => f.id === 'f-provider', 'the provider filter');
  checkFocusVisible(provider);
  await page.keyboard.press('ArrowDown');
  const chosen = await page.$eval('#f-provider', (e) => e.value);
  check(chosen !== '', 'an arrow key on the provider filter picked no provider');
  await tabTo(page, (f) => f.id === 'f-months', 'the period');
  await page.keyboard.press('ArrowDown');
  const filter = await tabTo(page, button('絞り込む'), 'the 絞り込む button');
  checkFocusVisible(filter);
  await pressEnterAndLoad(page);
  const url = new URL(page.url());
  check(
    url.searchParams.get('provider') === chosen && url.searchParams.get('months') === '12',
    `filtering by keyboard gave ${page.url()}`,
  );
  console.log(`  Enter -> ${url.pathname}${url.search}`);
  const region = await tabTo(page, (f) => f.tag === 'div', 'the scrollable course × month table');
  checkFocusVisible(region);
  const cell = await tabTo(page, (f) => f.tag === 'a' && /^\/ministry\/course-reports\/[^/]+\/\d{4}-\d{2}$/.test(f.href ?? ''), 'a month\'s report in the table');
  checkFocusVisible(cell);
  await pressEnterAndWait(page, cell.href);
  const report = (await page.textContent('main')) ?? '';
  check(
    report.includes('「特定講習」実施状況報告書（月次）') && report.includes('実施状況'),
    `opening a month by keyboard (${page.url()}): ${report.replace(/\s+/g, ' ').slice(0, 300)}`,
  );
  console.log('  Enter -> the course\'s report for that month');
  await page.goBack({ waitUntil: 'load' });
  const totals = await page.$eval('#totals + p + .table-scroll caption', (e) => e.textContent);
  check(totals.includes('月別の受講者数・修了者数'), `the totals' table has no caption: ${totals}`);
  console.log('  the totals by month: a table with its caption, the bars beside it');
}

async function main() {
  const base = baseUrl('keyboard', 300);

  const browser = await launch();
  let failed = false;
  try {
    const context = await browser.newContext({ locale: 'ja-JP' });
    for (const j of JOURNEYS) {
      try {
        await journey(context, base, j);
      } catch (err) {
        failed = true;
        console.log(`FAIL (${j.lang}) ${err instanceof StepFailed ? err.message : err.stack}`);
      }
    }
    const walks = [
      ['reviewer', reviewerJourney],
      ['provider (ja)', (b, u) => providerJourney(b, u, 'ja')],
      ['provider (en)', (b, u) => providerJourney(b, u, 'en')],
      ['delivery', deliveryJourney],
      ['completion', completionJourney],
      ['verification (ja)', (b, u) => verificationJourney(b, u, 'ja')],
      ['verification (en)', (b, u) => verificationJourney(b, u, 'en')],
      ['holder (ja)', (b, u) => holderJourney(b, u, 'ja')],
      ['holder (en)', (b, u) => holderJourney(b, u, 'en')],
      ['reports', reportJourney],
    ];
    for (const [who, walk] of walks) {
      try {
        await walk(browser, base);
      } catch (err) {
        failed = true;
        console.log(`FAIL (${who}) ${err instanceof StepFailed ? err.message : err.stack}`);
      }
    }
  } finally {
    await browser.close();
  }
  if (failed) process.exit(1);
  console.log('== keyboard-only journey passes in both languages');
}

await main();
