// The designation as its users meet it (issue 13's acceptance walk), in headless Chromium and
// through the pages only, each person in a browser of their own:
//   1. a provider signs up, registers, starts an application, imports the 記入例 workbook,
//      attaches every required document and submits: a receipt mail is queued;
//   2. a ministry reviewer (an administrator made so from the command line, as an operator
//      does) finds the queue from the header, assigns themself, opens every attachment,
//      records a finding and requests a revision, confirmed on its own page: a mail is queued;
//   3. the provider resubmits; the reviewer's assignment remains and the finding is carried
//      forward, marked as the previous version's;
//   4. an external expert finds the request from the header, sees the applicant's name and
//      法人番号 before anything else, declares no conflict and opens the version's PDF;
//   5. the reviewer designates from today, confirmed on its own page: a mail is queued, and the
//      programme page carries the 特定講習 label; the demo's sample application, designated
//      from a later day, shows 指定予定（…から） on its programme page instead;
//   6. the provider files a change notice (様式第3号); the ministry sees it in its queue and
//      the course's workspace and downloads it as a workbook and a PDF.
//
//   node tests/browser/walkthrough.mjs http://127.0.0.1:8080
//
// Needs KOSHU_TEST_BIN and KOSHU_TEST_DATA_DIR (for `koshu accounts role`). Exits 0 when every
// step passes, 1 naming the failed step, 2 on a usage error.

import {
  baseUrl,
  createApplication,
  grantRole,
  launch,
  registerOrganisation,
  setUpTwoFactor,
  signIn,
  signUpAndSignInOn,
} from './browser.mjs';

const COURSE = 'ウォークスルー実践演習';
const PROVIDER_NAME = '株式会社ウォークスルー確認';
const CORPORATE_NUMBER = '5010001008846';

class StepFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailed(message);
}

/** Clicks `selector` and waits for the page it leads to; returns the response. */
async function clickAndWait(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  return response;
}

async function goto(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  check(response?.status() === 200, `${url} answered ${response?.status()}, not 200`);
  return response;
}

/** The text of <main>, with runs of white space as one space. */
async function mainText(page) {
  return ((await page.textContent('main')) ?? '').replace(/\s+/g, ' ');
}

/** Follows the header's "your work" link named `label`. */
async function followWorkLink(page, base, label) {
  await goto(page, `${base}/account`);
  const link = page.locator('nav.work-nav a', { hasText: label });
  check((await link.count()) === 1, `the header has no work link 「${label}」 for this person`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}

/** A download through the page's cookies: its status, media type and first bytes. */
async function fetchFile(page, url) {
  const response = await page.request.get(url);
  const body = await response.body();
  return { status: response.status(), type: response.headers()['content-type'] ?? '', head: body.subarray(0, 5).toString('latin1') };
}

/** The outbox as the administrator reads it: does it hold a mail to `to` with `subject`? */
async function mailQueued(page, base, to, subject) {
  await goto(page, `${base}/admin/outbox`);
  const rows = await page.$$eval('main tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
  return rows.some((row) => row.includes(to) && row.includes(subject));
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

/** 2027年4月1日 */
function japaneseDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

async function step(name, work) {
  console.log(`-- ${name}`);
  await work();
}

async function main() {
  const base = baseUrl('walkthrough', 300);
  const stamp = Date.now();
  const providerEmail = `provider-${stamp}@example.jp`;
  const reviewerEmail = `reviewer-${stamp}@example.jp`;
  const expertEmail = `expert-${stamp}@example.jp`;
  // The server's day is Japan's; designating "today" uses that day.
  const todayJst = isoDate(new Date(Date.now() + 9 * 3600 * 1000));
  const later = isoDate(new Date(Date.now() + (9 * 3600 + 60 * 86400) * 1000));

  const browser = await launch();
  try {
    const provider = await (await browser.newContext({ locale: 'ja-JP', acceptDownloads: true })).newPage();
    const reviewer = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
    const expert = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
    let id = '';
    let sample = '';

    await step('provider: sign up, register, import the 記入例, attach, submit', async () => {
      await signUpAndSignInOn(provider, base, providerEmail, '申請 花子');
      const org = await registerOrganisation(provider, base, PROVIDER_NAME);
      id = await createApplication(provider, base, org, COURSE);
      await goto(provider, `${base}/applications/${id}/import`);
      const [download] = await Promise.all([provider.waitForEvent('download'), provider.click('a[href$="/example.xlsx"]')]);
      check(download.suggestedFilename().endsWith('記入例.xlsx'), `the 記入例 is named ${download.suggestedFilename()}`);
      await provider.setInputFiles('input[name=workbook]', await download.path());
      await clickAndWait(provider, 'main form button[type=submit]');
      check(provider.url().endsWith(`/applications/${id}?done=imported`), `the import ended at ${provider.url()}`);
      await goto(provider, `${base}/applications/${id}/documents`);
      for (let attached = 0; attached < 20; attached += 1) {
        const missing = await provider.$$eval('main h2 + ul li', (lis) => lis.map((li) => li.textContent.trim()));
        if ((await mainText(provider)).includes('必要な書類はすべて添付されています')) break;
        check(missing.length > 0, 'the documents page lists no missing document yet does not say all are attached');
        await provider.selectOption('select[name=kind]', { label: missing[0] });
        await provider.setInputFiles('input[name=file]', {
          name: `${missing[0]}.pdf`,
          mimeType: 'application/pdf',
          buffer: Buffer.from(`%PDF-1.7\n% ${missing[0]}\n`),
        });
        const response = await clickAndWait(provider, 'main form.form button[type=submit]');
        check(response?.status() === 200, `attaching ${missing[0]} answered ${response?.status()}`);
      }
      check((await mainText(provider)).includes('必要な書類はすべて添付されています'), 'the required documents are still not all attached');
      await goto(provider, `${base}/applications/${id}`);
      await clickAndWait(provider, `form[action$="/applications/${id}/submit"] button[type=submit]`);
      check(provider.url().endsWith(`/applications/${id}/versions/1`), `submitting ended at ${provider.url()}`);
      console.log(`   submitted ${id} as version 1`);
    });

    await step('reviewer: the queue from the header, every attachment, a finding, a revision', async () => {
      await signUpAndSignInOn(reviewer, base, reviewerEmail, '審査 一郎');
      grantRole(reviewerEmail, ['--role', 'administrator']);
      await signIn(reviewer, base, reviewerEmail);
      await setUpTwoFactor(reviewer, base);
      check(await mailQueued(reviewer, base, providerEmail, '申請を受け付けました'), 'no receipt mail to the provider in the outbox');
      await followWorkLink(reviewer, base, '審査');
      check(new URL(reviewer.url()).pathname === '/ministry/reviews', `the 審査 link opened ${reviewer.url()}`);
      await Promise.all([reviewer.waitForNavigation({ waitUntil: 'load' }), reviewer.click(`main a:has-text("${COURSE}")`)]);
      check(new URL(reviewer.url()).pathname === `/ministry/reviews/${id}`, `the queue's link opened ${reviewer.url()}`);
      await reviewer.selectOption('#assign-reviewer', { label: `審査 一郎（${reviewerEmail}）` });
      await clickAndWait(reviewer, 'form:has(#assign-reviewer) button[type=submit]');
      const links = await reviewer.$$eval('main a[href*="/versions/1/documents/"]', (as) => as.map((a) => a.href));
      check(links.length > 0, 'the workspace links no attachment');
      for (const link of new Set(links)) {
        const file = await fetchFile(reviewer, link);
        check(file.status === 200 && file.head === '%PDF-', `the attachment ${link} answered ${file.status} (${file.type})`);
      }
      console.log(`   opened ${new Set(links).size} attachments`);
      await reviewer.selectOption('#finding-B17', 'revise');
      await reviewer.fill('#comment-B17', '講師の指導実績を補ってください。');
      await clickAndWait(reviewer, `form[action$="/${id}/findings"] button[type=submit]`);
      await reviewer.fill('#revision-reasons', '講師の指導実績を補ってください。');
      await clickAndWait(reviewer, `form[action$="/${id}/revision"] button[type=submit]`);
      check((await mainText(reviewer)).includes('まだ決定していません'), 'a revision request was not restated for confirmation');
      await clickAndWait(reviewer, `form[action$="/${id}/revision"] button[type=submit]`);
      check(await mailQueued(reviewer, base, providerEmail, '申請の修正のお願い'), 'no revision mail to the provider in the outbox');
    });

    await step('provider: resubmit; the reviewer keeps the assignment and the finding', async () => {
      await goto(provider, `${base}/applications/${id}`);
      check((await mainText(provider)).includes('講師の指導実績を補ってください。'), 'the provider does not read the revision request');
      await clickAndWait(provider, `form[action$="/applications/${id}/submit"] button[type=submit]`);
      check(provider.url().endsWith(`/applications/${id}/versions/2`), `resubmitting ended at ${provider.url()}`);
      await goto(reviewer, `${base}/ministry/reviews/${id}`);
      const text = await mainText(reviewer);
      check(text.includes('審査中'), 'the review did not resume on resubmission');
      check(text.includes(`審査 一郎`), 'the reviewer is no longer assigned');
      check((await reviewer.inputValue('#finding-B17')) === 'revise', 'the finding of version 1 was not carried forward');
      check(text.includes('前の版の所見'), 'the carried finding is not marked as the previous version\'s');
      check(await reviewer.isVisible(`form[action$="/${id}/designate"] button[type=submit]`), 'the decision buttons are missing');
    });

    await step('expert: the applicant first, a declaration, then the PDF', async () => {
      await signUpAndSignInOn(expert, base, expertEmail, '有識者 三郎');
      grantRole(expertEmail, ['--role', 'none', '--expert']);
      await signIn(expert, base, expertEmail);
      await setUpTwoFactor(expert, base);
      await goto(reviewer, `${base}/ministry/reviews/${id}`);
      await reviewer.selectOption('#assign-expert', { label: `有識者 三郎（${expertEmail}）` });
      await clickAndWait(reviewer, 'form:has(#assign-expert) button[type=submit]');
      await followWorkLink(expert, base, '意見照会');
      await Promise.all([expert.waitForNavigation({ waitUntil: 'load' }), expert.click(`main a:has-text("${COURSE}")`)]);
      const before = await mainText(expert);
      check(before.includes(PROVIDER_NAME) && before.includes(CORPORATE_NUMBER), 'the declaration page does not name the applicant and its 法人番号');
      check(!before.includes('B01'), 'the expert sees the application before declaring');
      await expert.check('input[name=conflict][value=none]');
      await clickAndWait(expert, 'main form button[type=submit]');
      const pdf = await expert.getAttribute('main a[href*="/forms.pdf?version=2"]', 'href');
      check(pdf !== null, 'the expert\'s page does not link the version\'s PDF');
      const file = await fetchFile(expert, new URL(pdf, base).href);
      check(file.status === 200 && file.head === '%PDF-', `the expert's PDF answered ${file.status} (${file.type})`);
    });

    await step('reviewer: designate, confirmed; the label within the period, 指定予定 before it', async () => {
      await goto(reviewer, `${base}/ministry/reviews/${id}`);
      await reviewer.fill('input[name=designated_on]', todayJst);
      await clickAndWait(reviewer, `form[action$="/${id}/designate"] button[type=submit]`);
      check((await mainText(reviewer)).includes('まだ決定していません'), 'the designation was not restated for confirmation');
      await clickAndWait(reviewer, `form[action$="/${id}/designate"] button[type=submit]`);
      check((await mainText(reviewer)).includes('特講'), 'the workspace shows no designation number');
      check(await mailQueued(reviewer, base, providerEmail, '特定講習に指定されました'), 'no designation mail to the provider in the outbox');

      // The demo's sample application, designated from a later day.
      await goto(reviewer, `${base}/ministry/reviews`);
      const href = await reviewer.getAttribute('main a:has-text("（サンプル）")', 'href');
      check(href !== null, 'the queue has no demo sample');
      sample = href.split('/').pop();
      await goto(reviewer, `${base}${href}`);
      await reviewer.selectOption('#assign-reviewer', { label: `審査 一郎（${reviewerEmail}）` });
      await clickAndWait(reviewer, 'form:has(#assign-reviewer) button[type=submit]');
      await reviewer.fill('input[name=designated_on]', later);
      await clickAndWait(reviewer, `form[action$="/${sample}/designate"] button[type=submit]`);
      await clickAndWait(reviewer, `form[action$="/${sample}/designate"] button[type=submit]`);

      const visitor = await browser.newContext({ locale: 'ja-JP' });
      try {
        const page = await visitor.newPage();
        await goto(page, `${base}/designations`);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`main a:has-text("${COURSE}")`)]);
        const within = (await page.textContent('main p.badge')) ?? '';
        check(within.includes('特定講習') && !within.includes('指定予定'), `the programme ${page.url()} carries 「${within}」, not the label within the period`);
        await goto(page, `${base}/designations`);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main a:has-text("（サンプル）実践セキュリティ監視")')]);
        const upcoming = (await page.textContent('main p.badge-upcoming')) ?? '';
        check(upcoming.includes(`指定予定（${japaneseDate(later)}から）`), `the sample's programme ${page.url()} says 「${upcoming}」, not 指定予定（${japaneseDate(later)}から）`);
      } finally {
        await visitor.close();
      }
    });

    await step('provider: a change notice; the ministry sees it and exports 様式第3号', async () => {
      await goto(provider, `${base}/applications/${id}/edit/course`);
      await provider.fill('[name="course.name"]', `${COURSE}（上級）`);
      await clickAndWait(provider, 'main form button[type=submit]');
      await goto(provider, `${base}/applications/${id}`);
      const tomorrow = isoDate(new Date(Date.now() + (9 * 3600 + 86400) * 1000));
      await provider.fill('#change-effective', tomorrow);
      await provider.fill('#change-reason', '上級者向けに名称を改めるため');
      await clickAndWait(provider, `form[action$="/${id}/changes"] button[type=submit]`);
      check((await mainText(provider)).includes('効力発生待ち'), 'the filed change is not shown to the provider');

      await goto(reviewer, `${base}/ministry/reviews`);
      const notices = await reviewer.$$eval('main tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      check(
        notices.some((row) => row.includes(COURSE) && row.includes('様式第3号') && row.includes('効力発生待ち')),
        'the ministry\'s queue does not list the change notice (様式第3号, pending)',
      );
      await goto(reviewer, `${base}/ministry/reviews/${id}`);
      check((await mainText(reviewer)).includes('上級者向けに名称を改めるため'), 'the workspace does not show the notice');
      for (const [suffix, head] of [['form.xlsx', 'PK\u0003\u0004'], ['form.pdf', '%PDF-']]) {
        const href = await reviewer.getAttribute(`main a[href$="/${suffix}"]`, 'href');
        check(href !== null, `the workspace does not link the notice's ${suffix}`);
        const file = await fetchFile(reviewer, new URL(href, base).href);
        check(file.status === 200 && file.head.startsWith(head), `the notice's ${suffix} answered ${file.status} (${file.type})`);
      }
    });
  } catch (err) {
    console.log(`FAIL ${err instanceof StepFailed ? err.message : err.stack}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
  if (process.exitCode !== 1) console.log('== the designation walkthrough passes');
}

await main();
