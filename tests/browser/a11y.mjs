// Accessibility check (JIS X 8341-3:2016 AA = WCAG 2.0 AA, plus WCAG 2.1 AA) in headless
// Chromium with axe-core. Every page in PAGES is checked in Japanese (`/path`) and English
// (`/en/path`): the HTTP status, `<html lang>`, no Content-Security-Policy violation (the CSP
// forbids inline styles and scripts) and no axe violation.
//
//   node tests/browser/a11y.mjs http://127.0.0.1:8080
//   KOSHU_TEST_A11Y_EXTRA_PATHS='/search?q=x,/search?kind=awareness' node tests/browser/a11y.mjs http://127.0.0.1:8080
//
// Run by `cargo test -p koshu --test browser` against `koshu serve --demo`. Exits 0 when every
// page is clean, 1 on any finding (all findings are printed first), 2 on a usage or set-up error.

import {
  AXE_TAGS,
  axeFindings,
  baseUrl,
  becomeSampleStaff,
  createApplication as createApplicationOn,
  deliveredSession,
  firstEnrolment,
  grantRole,
  launch,
  listProgramme as listProgrammeOn,
  makeLive,
  makeOver,
  openSurvey,
  registerOrganisation as registerOrganisationOn,
  setUpTwoFactor,
  signIn,
  signUpAndSignInOn,
} from './browser.mjs';
import axe from 'axe-core';

// ---------------------------------------------------------------------------------------------
// PAGES: the pages to check, by their Japanese path (the English one is `/en` + path).
// `status` is the HTTP status the page must answer with (200 unless given; or one per language,
// `{ ja, en }`); with `submit`, the page's form is sent as it stands (or with `fill`: texts typed,
// boxes ticked with true and cleared with false) and the page that answers is the one checked;
// `expect` is a selector (or a list of them) the page must contain.
// ---------------------------------------------------------------------------------------------
const PAGES = [
  { path: '/', what: 'home (catalogue entry points)' },
  { path: '/programmes/cyder-a-fy2021', what: 'programme page with a 65-row sessions table' },
  { path: '/programmes/cyder-a-fy2021/report', what: 'reporting a problem with a programme' },
  { path: '/programmes/cyder-a-fy2021/report', what: 'a report sent empty: the fields named', submit: true, status: 400 },
  { path: '/search', what: 'search: every programme, all facets' },
  { path: '/search?q=%E6%94%BB%E6%92%83&prefecture=13&kind=security_technology', what: 'search with text and filters (highlights, active filters)' },
  { path: '/search?q=SecHack365&prefecture=27', what: 'search with no result (guidance)' },
  { path: '/sessions?from=2021-07-01', what: 'sessions by month' },
  { path: '/sessions', what: 'sessions from today: the demo\'s samples' },
  { path: '/providers/nict', what: 'provider page' },
  { path: '/accessibility', what: 'accessibility statement' },
  { path: '/signup', what: 'sign-up form' },
  { path: '/signup', what: 'sign-up form sent empty: error summary and field errors', submit: true, status: 400 },
  { path: '/login', what: 'sign-in form' },
  { path: '/login', what: 'sign-in with nothing typed: the error', submit: true, status: 401 },
  { path: '/password/forgot', what: 'password reset request' },
  { path: '/verify', what: 'certificate verification: upload or paste (issue 17)' },
  { path: '/verify', what: 'verification sent empty: the error', submit: true, status: 422 },
  { path: '/no-such-page', what: 'the 404 error page', status: 404 },
];

// Pages of a signed-in person, checked after the script signs up and signs in through the forms.
const SIGNED_IN_PAGES = [
  { path: '/account', what: 'account: details, second factor, sessions' },
  { path: '/account/two-factor', what: 'two-factor set-up with the QR code' },
];

// Ad-hoc extra paths (Japanese form, comma separated), each expected to answer 200. The name is in
// the KOSHU_TEST_* namespace, which `koshu serve` leaves alone (it rejects other unknown KOSHU_*).
for (const path of (process.env.KOSHU_TEST_A11Y_EXTRA_PATHS ?? '').split(',')) {
  if (path.trim() !== '') PAGES.push({ path: path.trim(), what: 'KOSHU_TEST_A11Y_EXTRA_PATHS' });
}

const LANGS = [
  { lang: 'ja', url: (path) => path },
  { lang: 'en', url: (path) => (path === '/' ? '/en/' : `/en${path}`) },
];

async function main() {
  const base = baseUrl('a11y', 1500);

  const browser = await launch();
  const failures = [];
  let checked = 0;
  try {
    // Checks each of `pages` in both languages in `context`; `who` is added to each label.
    const checkEach = async (context, pages, who) => {
      for (const { path: pathOrLater, what, status = 200, submit = false, before, fill, upload, expect } of pages) {
        if (before) await before();
        // A path known only once `before` has run is given as a function.
        const path = typeof pathOrLater === 'function' ? pathOrLater() : pathOrLater;
        for (const { lang, url } of LANGS) {
          const wanted = typeof status === 'number' ? status : status[lang];
          const found = await checkPage(context, base + url(path), { lang, status: wanted, submit, fill, upload, expect });
          checked += 1;
          const label = `${url(path)} (${what}${who})`;
          if (found.length === 0) {
            console.log(`ok    ${label}`);
          } else {
            // Printed now as well as in the summary, so a run cut short still shows them.
            console.log(`FAIL  ${label}: ${found.length} finding(s)`);
            for (const f of found) console.log(`      ${f}`);
            failures.push({ label, found });
          }
        }
      }
    };
    const context = await browser.newContext({ locale: 'ja-JP' });
    await checkEach(context, PAGES, '');
    await signUpAndSignIn(context, base);
    const org = await registerOrganisation(context, base);
    const signedInPages = [
      ...SIGNED_IN_PAGES,
      { path: '/organisations/new', what: 'provider registration form' },
      { path: '/organisations/new', what: 'provider registration sent empty: every field named', submit: true, status: 400 },
      { path: `/organisations/${org}`, what: 'provider organisation page' },
      { path: `/organisations/${org}/edit`, what: 'provider organisation edit form' },
      { path: `/organisations/${org}/staff`, what: 'staff and invitation form' },
    ];
    signedInPages.push(
      { path: `/organisations/${org}/tokens`, what: 'API tokens and the form to create one' },
      { path: `/organisations/${org}/tokens`, what: 'API token form sent without a name', submit: 'form[action$="/tokens"] button[type=submit]', status: 400 },
      { path: `/organisations/${org}/tokens`, what: 'API token created: its value shown once', submit: 'form[action$="/tokens"] button[type=submit]', fill: { '#f-name': 'LMS 連携' }, status: 201 },
    );
    const programme = await createProgramme(context, base, org);
    const listing = `/organisations/${org}/programmes/${programme}`;
    signedInPages.push(
      { path: `/organisations/${org}/programmes`, what: 'programmes the provider lists' },
      { path: `/organisations/${org}/programmes/new`, what: 'programme form: every catalogue field' },
      { path: `/organisations/${org}/programmes/new`, what: 'programme form sent empty: every field named', submit: true, status: 400 },
      { path: listing, what: 'a listed programme: state, sessions, history' },
      { path: `${listing}/edit`, what: 'programme form with the saved values' },
      { path: `${listing}/sessions/new`, what: 'session form' },
      { path: `${listing}/sessions/new`, what: 'session form sent empty: the start date named', submit: true, status: 400 },
      { path: `${listing}/preview`, what: 'preview of the public page' },
      { path: `/organisations/${org}/programmes/upload`, what: 'spreadsheet upload: templates and the form' },
      { path: `/organisations/${org}/programmes/upload`, what: 'spreadsheet upload sent without a file', submit: true, status: 400 },
      { path: `/organisations/${org}/programmes/upload`, what: 'spreadsheet checked: a problem by sheet, row and column', submit: true, upload: { name: '講座.csv', text: '管理番号,講座名\r\nK-1,名前だけ\r\n' }, status: 400 },
      // The first of the publishing buttons: 公開する in Japanese, then Unpublish in English.
      { path: listing, what: 'publishing: published, then unpublished', submit: 'main ul.inline-list form button[type=submit]' },
    );
    // Issue 15's delivery: the session set up, the same person applying for it as a learner
    // (one may apply for one's own organisation's session), then a block live.
    const session = await deliverSession(context, base, org);
    const run = `/organisations/${org}/sessions/${session}`;
    const enrol = `/sessions/${session}/enrol`;
    let enrolment = '';
    let boardLinks = { answer: '', hide: '' };
    signedInPages.push(
      { path: enrol, what: 'enrolment form: the session\'s facts and the learner\'s fields' },
      { path: enrol, what: 'enrolment sent empty: every field named', submit: true, status: 422 },
      {
        path: enrol,
        what: 'enrolment sent filled: applied (ja), then applying twice refused (en)',
        submit: true,
        fill: { '#f-name': '確認 花子', '#f-name_kana': 'カクニン ハナコ', '#f-consent': true },
        status: { ja: 200, en: 409 },
      },
      // Issue 16: the completion criteria, published before the session starts.
      { path: `${run}/completion/criteria`, what: 'completion criteria form: tests, rubrics, attendance, re-assessment' },
      { path: `${run}/completion/criteria`, what: 'completion criteria sent as drawn: the pass score and attendance named', submit: true, status: 422 },
      {
        path: `${run}/completion/criteria`,
        what: 'completion criteria saved and published: the completion page',
        submit: true,
        fill: { '#f-assessments-0-pass_score': '70', '#f-min_attendance_percent': '80' },
      },
      {
        path: '/learning',
        what: 'the learner\'s sessions',
        before: async () => {
          enrolment = await goLive(context, base, org, session);
        },
      },
      {
        path: () => enrolment,
        what: 'the learner\'s enrolment, a block live: the check-in code form and the beating presence',
        expect: ['main form input[name=code]', 'main [data-heartbeat] .live-on:not([hidden])'],
      },
      {
        path: () => `${enrolment}/items/1`,
        what: 'an on-demand item: how time on task is recorded, start and done',
        expect: ['main [data-activity] .live-on:not([hidden])'],
      },
      // Issue 16's end-of-course survey: open once the session's last block has started.
      {
        path: () => `${enrolment}/survey`,
        what: 'the learner\'s survey: how the answers are kept, and the items',
        before: () => surveyOpen(context, base, org, session),
        expect: ['main form input[name="answers.m1"]', 'main h2#kept-heading'],
      },
      { path: () => `${enrolment}/survey`, what: 'the survey sent empty: the required items named', submit: true, status: 400 },
      { path: `${run}/survey`, what: 'survey results below five answers: the count only' },
      { path: `${run}/survey/items`, what: 'the provider\'s own survey items: the form' },
      { path: `/sessions/${session}/check-in?block=1&code=123456`, what: 'the QR code\'s landing page: the scanned code to send' },
      { path: `${run}/completion`, what: 'completion: the criteria, each learner\'s attendance, results and computed decision' },
      { path: () => `${run}/completion/enrolments/${enrolment.split('/').pop()}`, what: 'assessment form: the score, the results, the computed decision' },
      {
        path: () => `${run}/completion/enrolments/${enrolment.split('/').pop()}`,
        what: 'assessment form sent empty: the score named',
        submit: true,
        status: 422,
      },
      { path: '/account/learner', what: 'learner profile' },
      {
        path: '/account/learner',
        what: 'learner profile sent empty: every field named',
        submit: true,
        fill: { '#f-name': '', '#f-name_kana': '', '#f-consent': false },
        status: 422,
      },
      // The session's board (issue 16, D08): the staff announce, the learner (the same person)
      // asks without their name, the staff answer and hide a post with its reason.
      {
        path: `${run}/board`,
        what: 'staff board: an announcement posted',
        submit: 'main form[action$="/board"] button[type=submit]',
        fill: { '#f-body': '会場の入口が変わりました。 / The entrance has moved.' },
        expect: 'main article',
      },
      { path: `${run}/board`, what: 'staff board: an announcement sent empty, the field named', submit: 'main form[action$="/board"] button[type=submit]', fill: { '#f-body': '' }, status: 422 },
      {
        path: () => `${enrolment}/board`,
        what: 'learner board: a question asked without the name',
        submit: true,
        fill: { '#f-body': '資料はどこにありますか。', '#f-anonymous': true },
        expect: 'main article',
      },
      { path: () => `${enrolment}/board`, what: 'learner board: a question sent empty, the field named', submit: true, fill: { '#f-body': '' }, status: 422 },
      {
        path: () => boardLinks.answer,
        what: 'answering a question: the question restated',
        before: async () => {
          boardLinks = await firstBoardLinks(context, base, `${run}/board`);
        },
      },
      { path: () => boardLinks.answer, what: 'an answer sent empty, the field named', submit: true, fill: { '#f-body': '' }, status: 422 },
      { path: () => boardLinks.answer, what: 'an answer posted: the staff board with it', submit: true, fill: { '#f-body': '受付の横の棚にあります。' }, expect: 'main .board-answer' },
      { path: () => boardLinks.hide, what: 'hiding a post: the post restated, the reason asked' },
      { path: () => boardLinks.hide, what: 'hiding sent without a reason, the field named', submit: true, fill: { '#f-reason': '' }, status: 422 },
      {
        path: `${run}/board`,
        what: 'staff board: a hidden post with its reason',
        before: () => hidePost(context, base, boardLinks.hide),
        expect: 'main article p.error-text',
      },
      { path: () => `${enrolment}/board`, what: 'learner board: a hidden post as one line', expect: 'main p.card.hint' },
      { path: `${run}/delivery`, what: 'delivery plan with the saved values' },
      {
        path: `${run}/delivery`,
        what: 'delivery plan sent empty: every field named',
        submit: true,
        fill: { '#f-timetable': '', '#f-capacity': '', '#f-opens_on': '', '#f-closes_on': '', '#f-fee': '' },
        status: 422,
      },
      { path: `${run}/roster`, what: 'roster, the venue\'s codes and the exports' },
      { path: `${run}/check-in`, what: 'identity desk: a form per learner' },
      { path: `${run}/check-in`, what: 'identity desk: a check recorded', submit: 'main section.card form button[type=submit]' },
      { path: `${run}/blocks/1/code`, what: 'the venue\'s screen: the code and its QR code' },
      { path: `${run}/attendance`, what: 'live attendance (server-sent events), marks and seals' },
      { path: `${run}/reports`, what: 'meeting reports: the upload form' },
      {
        path: `${run}/reports`,
        what: 'meeting report refused: the missing column named',
        submit: true,
        upload: { name: 'participants.csv', text: 'Name (Original Name),User Email,Join Time,Duration (Minutes)\r\n確認 花子,a@example.jp,06/10/2026 09:59:00 AM,41\r\n' },
        status: 422,
      },
    );
    // Issue 17: the session over, the learner (the same person) attended, answered the survey and
    // passed, so confirming them as 修了 issues a certificate: the learner's page of it.
    let certificate = '';
    signedInPages.push({
      path: () => certificate,
      what: 'the learner\'s certificate: the digital credential, the PDF and badge images, how anyone verifies it',
      before: async () => {
        certificate = await certify(context, base, org, session, enrolment);
      },
      expect: ['main a[href$="/certificate.pdf"]', 'main a[href*="/verify/"]'],
    });
    // Issue 18: the RISS holder's ledger: the invitation, the link form (empty, then filled:
    // the dashboard), and adding a course with its evidence (empty, then filled).
    signedInPages.push(
      { path: '/holder', what: 'the holder\'s ledger before a registration is linked: what it is for' },
      { path: '/holder/link', what: 'linking the RISS registration: number and dates' },
      { path: '/holder/link', what: 'link sent empty: the number and the date named', submit: true, status: 422 },
      {
        path: '/holder/link',
        what: 'link sent filled: the dashboard (period, timeline, courses, sessions, calendar, data)',
        submit: true,
        fill: { '#f-riss_number': '012345', '#f-registered_on': '2025-10-01' },
        expect: ['main h2#timeline-heading', 'main table'],
      },
      { path: '/holder/courses/new', what: 'adding a course: kind, title, date, and a certificate file or a pasted credential' },
      { path: '/holder/courses/new', what: 'course sent empty: every field named', submit: true, status: 422 },
      {
        path: '/holder/courses/new',
        what: 'course sent filled: the dashboard with it',
        submit: true,
        fill: { '#f-kind': true, '#f-title': 'オンライン講習', '#f-provider': 'IPA', '#f-completed_on': '2026-06-01' },
        expect: 'main #courses table',
      },
    );
    const application = await createApplication(context, base, org);
    signedInPages.push(
      { path: `/organisations/${org}/applications`, what: 'applications of the provider' },
      { path: `/applications/${application}`, what: 'application: sections and the self-check of every rule' },
      { path: `/applications/${application}`, what: 'submission refused: rules not met', submit: true, status: 400 },
      { path: `/applications/${application}/edit/course`, what: 'application section: the course' },
      { path: `/applications/${application}/edit/curriculum`, what: 'application section: curriculum rows' },
      { path: `/applications/${application}/edit/curriculum`, what: 'application section saved', submit: true },
      { path: `/applications/${application}/edit/people`, what: 'application section: instructors' },
      { path: `/applications/${application}/edit/provider`, what: 'application section: the provider (様式第1号)' },
      { path: `/applications/${application}/documents`, what: 'application documents and the upload form' },
      { path: `/applications/${application}/documents`, what: 'upload sent empty: the fields named', submit: true, status: 400 },
      { path: `/applications/${application}/import`, what: 'import a filled workbook' },
      { path: `/applications/${application}/import`, what: 'import sent empty: the field named', submit: true, status: 400 },
    );
    await becomeAdministrator(context, base);
    signedInPages.push(
      { path: '/admin/accounts', what: 'accounts and roles (administrator)' },
      { path: '/admin/outbox', what: 'outgoing mail (administrator)' },
      { path: '/admin/survey-items', what: 'the ministry\'s survey items: versions and the next one (administrator)' },
      { path: '/ministry/organisations', what: 'registered providers (ministry)' },
      { path: '/registry/holders', what: 'the registry: holders by outlook and cohort, completions by month (administrator, as IPA\'s registrars see it)' },
      { path: '/ministry/reviews', what: 'review queue with the demo sample (ministry)' },
      { path: '/ministry/reports', what: 'reports about programmes (ministry)', before: () => reportAProblem(context, base) },
      { path: '/ministry/course-reports', what: 'implementation reports: designated course × month, received, late or missing (ministry)' },
      { path: '/ministry/course-reports?months=12', what: 'implementation reports over 12 months, with the totals\' table and its bars (ministry)' },
      { path: '/designations', what: 'public list of designated courses' },
    );
    signedInPages.push({
      path: await firstCourseReport(context, base),
      what: 'a designated course\'s monthly report as the ministry reads it: figures, versions, the chase form when missing (ministry)',
    });
    const review = await firstReview(context, base);
    signedInPages.push(
      { path: `/ministry/reviews/${review}`, what: 'review workspace: verdicts, evidence, findings, decisions' },
      { path: '/reviews', what: 'reviews an expert is asked for', before: () => askExpert(context, base, review) },
      { path: `/reviews/${review}`, what: 'expert: the conflict-of-interest declaration first' },
      { path: `/reviews/${review}`, what: 'expert: declaration sent without a choice', submit: true, status: 400 },
      { path: `/applications/${review}/versions/1`, what: 'a submitted version, as the ministry sees it' },
    );
    signedInPages.push(
      {
        path: `/reviews/${review}`,
        what: 'expert: rules, evidence and the opinion form',
        before: () => declareNoConflict(context, base, review),
      },
      // Another ministry person reviews (the administrator is the expert here, and one person
      // takes one role): the review starts, and the decision forms appear.
      {
        path: `/ministry/reviews/${review}`,
        what: 'review under way: the decision forms',
        before: () => assignAnotherReviewer(browser, context, base, review),
      },
      {
        path: `/ministry/reviews/${review}`,
        what: 'designation restated for confirmation, nothing decided yet',
        submit: `form[action$="/designate"] button[type=submit]`,
      },
    );
    await checkEach(context, signedInPages, ', signed in');
    // The demo's sample delivery as its provider's staff see it, with records in every state
    // (identities checked, present and away, a sealed day): another person, made its staff.
    const staff = await browser.newContext({ locale: 'ja-JP' });
    await checkEach(staff, await sampleDeliveryPages(staff, base), ', sample staff');
  } finally {
    await browser.close();
  }

  if (failures.length > 0) {
    console.log('');
    console.log(`== ${failures.length} of ${checked} pages fail WCAG 2.x AA / JIS X 8341-3 AA checks`);
    for (const { label, found } of failures) {
      console.log('');
      console.log(`-- ${label}`);
      for (const f of found) console.log(f);
    }
    process.exit(1);
  }
  console.log(`== all ${checked} pages pass (axe-core ${axe.version}, ${AXE_TAGS.join(', ')})`);
}

/** Signs up and signs in through the pages, as a person would; the context keeps the cookie. */
async function signUpAndSignIn(context, base) {
  const page = await context.newPage();
  try {
    await signUpAndSignInOn(page, base, `a11y-${Date.now()}@example.jp`);
  } finally {
    await page.close();
  }
}

/**
 * Makes the signed-in person an administrator (and an expert, so that the expert's pages can be
 * checked too) as an operator would, signs in again, and sets up two-factor authentication.
 */
async function becomeAdministrator(context, base) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/account`, { waitUntil: 'load' });
    const email = (await page.textContent('main dl.details')).match(/[\w.+-]+@example\.jp/)[0];
    grantRole(email, ['--role', 'administrator', '--expert']);
    await signIn(page, base, email);
    await setUpTwoFactor(page, base);
  } finally {
    await page.close();
  }
}

/** Registers a provider organisation through its form; returns the organisation's id. */
async function registerOrganisation(context, base) {
  const page = await context.newPage();
  try {
    return await registerOrganisationOn(page, base, '株式会社アクセシビリティ確認');
  } finally {
    await page.close();
  }
}

/** Asks the signed-in administrator (also an expert) for an opinion, through the workspace. */
async function askExpert(context, base, review) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/ministry/reviews/${review}`, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form:has(#assign-expert) button[type=submit]')]);
  } finally {
    await page.close();
  }
}

/**
 * Signs up a second person in a browser of their own, makes them a reviewer with `koshu
 * accounts role`, and assigns them to `review` from the administrator's workspace.
 */
async function assignAnotherReviewer(browser, context, base, review) {
  const email = `reviewer-${Date.now()}@example.jp`;
  const other = await browser.newContext({ locale: 'ja-JP' });
  try {
    await signUpAndSignInOn(await other.newPage(), base, email);
  } finally {
    await other.close();
  }
  grantRole(email, ['--role', 'reviewer']);
  const page = await context.newPage();
  try {
    await page.goto(`${base}/ministry/reviews/${review}`, { waitUntil: 'load' });
    await page.selectOption('#assign-reviewer', { label: `アクセシビリティ 確認（${email}）` });
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click('form:has(#assign-reviewer) button[type=submit]'),
    ]);
    if (response?.status() !== 200) throw new Error(`assigning the reviewer answered ${response?.status()}`);
  } finally {
    await page.close();
  }
}

/** The expert declares no conflict of interest, through their own form. */
async function declareNoConflict(context, base, review) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/reviews/${review}`, { waitUntil: 'load' });
    await page.check('input[name=conflict][value=none]');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  } finally {
    await page.close();
  }
}

/** The application id of the first entry in the ministry's review queue (the demo sample). */
async function firstReview(context, base) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/ministry/reviews`, { waitUntil: 'load' });
    const href = await page.getAttribute('main table a[href^="/ministry/reviews/"]', 'href');
    const match = (href ?? '').match(/\/ministry\/reviews\/([0-9a-f-]+)$/);
    if (!match) throw new Error('the review queue has no application (is the demo sample loaded?)');
    return match[1];
  } finally {
    await page.close();
  }
}

/** The first month's report linked from the ministry's course × month table. */
async function firstCourseReport(context, base) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/ministry/course-reports?months=12`, { waitUntil: 'load' });
    const href = await page.getAttribute('main table a[href^="/ministry/course-reports/"]', 'href');
    if (!href) throw new Error('the ministry\'s course reports link no month (is the demo\'s designated course loaded?)');
    return href;
  } finally {
    await page.close();
  }
}

/** A visitor's report about a demo programme, so that the ministry's list has one. */
async function reportAProblem(context, base) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/programmes/sechack365/report`, { waitUntil: 'load' });
    await page.check('input[name=reason][value=outdated]');
    await page.fill('#f-details', '応募期間が昨年のままです。');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
  } finally {
    await page.close();
  }
}

/** Lists a programme through the provider's form (the least it needs); returns its id. */
async function createProgramme(context, base, org) {
  const page = await context.newPage();
  try {
    return await listProgrammeOn(page, base, org, 'アクセシビリティ確認セミナー');
  } finally {
    await page.close();
  }
}

/**
 * Signs up a person in `context`, makes them staff of the demo's sample provider, and lists its
 * delivery pages: every session's roster, desk and attendance.
 */
async function sampleDeliveryPages(context, base) {
  const page = await context.newPage();
  try {
    const email = `sample-staff-${Date.now()}@example.jp`;
    await signUpAndSignInOn(page, base, email, '見本 職員');
    const org = becomeSampleStaff(email);
    await page.goto(`${base}/organisations/${org}/deliveries`, { waitUntil: 'load' });
    const rosters = await page.$$eval('main table a[href$="/roster"]', (links) => links.map((a) => a.getAttribute('href')));
    if (rosters.length === 0) throw new Error('the demo\'s sample provider delivers no session (is the demo loaded?)');
    const pages = [{ path: `/organisations/${org}/deliveries`, what: 'the sample provider\'s sessions' }];
    for (const roster of rosters) {
      const run = roster.replace(/\/roster$/, '');
      pages.push(
        { path: roster, what: 'sample session: roster' },
        { path: `${run}/check-in`, what: 'sample session: the desk, identities checked' },
        { path: `${run}/attendance`, what: 'sample session: attendance, present, away or sealed' },
        { path: `${run}/progress`, what: 'sample session: progress against the standard time' },
        { path: `${run}/follow-up`, what: 'sample session: the 要フォロー list with its forms, and follow-ups recorded' },
        { path: `${run}/board`, what: 'sample session: the board (today\'s with an announcement, answered, anonymous and hidden posts)' },
        { path: `${run}/completion`, what: 'sample session: completion, decisions issued or to come' },
        { path: `${run}/survey`, what: 'sample session: the survey, its totals (last week\'s) or the count' },
        { path: `${run}/credentials`, what: 'sample session: certificates issued, with their status forms' },
      );
      // Last week's session has certificates: the public verification page of one.
      await page.goto(`${base}${run}/credentials`, { waitUntil: 'load' });
      const verifications = await page.$$eval('main table a[href^="/verify/"]', (links) => links.map((a) => a.getAttribute('href')));
      if (verifications.length > 0) {
        pages.push({ path: verifications[0], what: 'the public verification page of a sample certificate' });
      }
      // Last week's session is assessed: a learner's results, issued decision and its history.
      await page.goto(`${base}${run}/completion`, { waitUntil: 'load' });
      const assessed = await page.$$eval('main table a[href*="/completion/enrolments/"]', (links) => links.map((a) => a.getAttribute('href')));
      if (assessed.length > 0 && (await page.textContent('main')).includes('修了（')) {
        pages.push({ path: assessed[0], what: 'sample session: a learner\'s results, issued decision and its history' });
      }
    }
    // Issue 19: the designated sample course's monthly reports, the list and each month.
    pages.push({ path: `/organisations/${org}/reports`, what: 'the sample provider\'s implementation reports by month' });
    await page.goto(`${base}/organisations/${org}/reports`, { waitUntil: 'load' });
    const months = await page.$$eval('main table a[href*="/reports/"]', (links) => links.map((a) => a.getAttribute('href')));
    if (months.length === 0) throw new Error('the sample provider\'s designated course has no report month');
    for (const month of months) {
      pages.push({ path: month, what: 'a monthly implementation report: figures, the form or why not yet, versions' });
    }
    return pages;
  } finally {
    await page.close();
  }
}

/** Issue 15's session, set up for delivery through the provider's pages; returns its id. */
async function deliverSession(context, base, org) {
  const page = await context.newPage();
  try {
    return await deliveredSession(page, base, org, 'アクセシビリティ確認演習');
  } finally {
    await page.close();
  }
}

/**
 * The session's block made live (for the check-in form), once the signed-in person applied;
 * returns the path of their enrolment's page.
 */
async function goLive(context, base, org, session) {
  const page = await context.newPage();
  try {
    await makeLive(page, base, org, session);
    return await firstEnrolment(page, base);
  } finally {
    await page.close();
  }
}

/**
 * Completes the signed-in learner of `session` as 修了 through the pages, as its staff (the same
 * person): the session made over, its survey answered, the block marked attended, the test
 * passed, the decision confirmed. Returns the path of the learner's certificate page.
 */
async function certify(context, base, org, session, enrolment) {
  const run = `/organisations/${org}/sessions/${session}`;
  const page = await context.newPage();
  const send = async (what, form, wanted) => {
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`main ${form} button[type=submit]`)]);
    if (response?.status() !== 200 || !page.url().includes(wanted)) {
      const problems = ((await page.textContent('main')) ?? '').replace(/\s+/g, ' ').slice(0, 400);
      throw new Error(`${what} answered ${response?.status()} at ${page.url()}: ${problems}`);
    }
  };
  try {
    await makeOver(page, base, org, session);
    await page.goto(`${base}${enrolment}/survey`, { waitUntil: 'load' });
    // The first choice of every item: what is answered does not count, only that it was.
    await page.$$eval('main form input[type=radio]', (radios) => {
      const seen = new Set();
      for (const radio of radios) {
        if (!seen.has(radio.name)) radio.checked = true;
        seen.add(radio.name);
      }
    });
    await send('answering the survey', 'form', 'done=');
    await page.goto(`${base}${run}/attendance`, { waitUntil: 'load' });
    await page.fill('#mark-reason', '受付で確認');
    await send('marking the block attended', 'form[action$="/marks"]', 'done=');
    const marks = `${run}/completion/enrolments/${enrolment.split('/').pop()}`;
    await page.goto(`${base}${marks}`, { waitUntil: 'load' });
    await page.fill('#f-score', '90');
    await send('recording the score', 'form', 'done=recorded');
    await send('confirming the decision', 'form[action$="/confirm"]', 'done=confirmed');
    await page.goto(`${base}${enrolment}`, { waitUntil: 'load' });
    const certificate = await page.getAttribute('main a[href^="/learning/credentials/"]', 'href');
    if (!certificate) throw new Error(`the learner\'s page ${enrolment} links no certificate after 修了`);
    return certificate;
  } finally {
    await page.close();
  }
}

/** The staff board's links to answer its first question and to hide its first post. */
async function firstBoardLinks(context, base, board) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}${board}`, { waitUntil: 'load' });
    const answer = await page.getAttribute('main a[href$="/answer"]', 'href');
    const hide = await page.getAttribute('main a[href$="/hide"]', 'href');
    if (!answer || !hide) throw new Error(`the board ${board} has no question to answer or post to hide`);
    return { answer, hide };
  } finally {
    await page.close();
  }
}

/** The staff hide a post through its form, with a reason. */
async function hidePost(context, base, hide) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}${hide}`, { waitUntil: 'load' });
    await page.fill('#f-reason', '確認のため非表示にします。');
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('main form button[type=submit]')]);
    if (response?.status() !== 200) throw new Error(`hiding ${hide} answered ${response?.status()}`);
  } finally {
    await page.close();
  }
}

/** The session's survey opened (its one block started), through the provider's form. */
async function surveyOpen(context, base, org, session) {
  const page = await context.newPage();
  try {
    await openSurvey(page, base, org, session);
  } finally {
    await page.close();
  }
}

/** Starts an application through the provider's form; returns its id. */
async function createApplication(context, base, org) {
  const page = await context.newPage();
  try {
    return await createApplicationOn(page, base, org, 'アクセシビリティ確認講習');
  } finally {
    await page.close();
  }
}

/** Loads one page and returns its findings as readable lines (empty when clean). */
/**
 * JIS X 8341-3 / WCAG 1.4.10 (reflow): at 320 CSS pixels wide the page does not scroll
 * sideways. Wide tables scroll inside their own container, which is allowed.
 */
async function reflowFindings(page) {
  await page.setViewportSize({ width: 320, height: 800 });
  const wide = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    // Inside a scrolling box, and positioned within it (an absolutely positioned element
    // widens the box it is positioned in, which may be the page).
    const scrollsItself = (el) => {
      if (getComputedStyle(el).position === 'absolute' && el.offsetParent === null) return false;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      const deepest = [...el.children].every((c) => c.getBoundingClientRect().right <= width + 1);
      if (r.right > width + 1 && r.width > 0 && deepest && !scrollsItself(el)) {
        const name = el.tagName.toLowerCase() + (el.className ? `.${String(el.className).split(' ')[0]}` : '');
        out.push(`${name} (${Math.round(r.right)}px): ${(el.textContent || '').trim().slice(0, 60)}`);
        if (out.length >= 3) break;
      }
    }
    return [`page ${document.documentElement.scrollWidth}px wide`, ...out];
  });
  return wide.length ? [`  [reflow] at 320px: ${wide.join(' | ')}`] : [];
}

async function checkPage(context, address, { lang, status, submit, fill = {}, upload, expect }) {
  const found = [];
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      found.push(`  [csp] ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => found.push(`  [script error] ${err.message}`));
  try {
    let response = await page.goto(address, { waitUntil: 'load' });
    if (submit) {
      // Send the page's form as it stands, as a person pressing its button would.
      // `submit` is true (the page's first form) or the selector of the button to press.
      const button = submit === true ? 'main form button[type=submit]' : submit;
      // A text to type, or true / false to tick or clear a box.
      for (const [selector, value] of Object.entries(fill)) {
        if (value === true) await page.check(selector);
        else if (value === false) await page.uncheck(selector);
        else await page.fill(selector, value);
      }
      if (upload) {
        await page.setInputFiles('input[type=file]', { name: upload.name, mimeType: 'text/csv', buffer: Buffer.from(upload.text) });
      }
      [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(button),
      ]);
    }
    const got = response?.status();
    if (got !== status) found.push(`  [status] expected HTTP ${status}, got ${got}`);

    const htmlLang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
    if (htmlLang !== lang) found.push(`  [html-lang] expected <html lang="${lang}">, got ${JSON.stringify(htmlLang)}`);

    for (const selector of [expect ?? []].flat()) {
      if ((await page.$(selector)) === null) found.push(`  [content] the page has no ${selector}`);
    }

    found.push(...(await axeFindings(page)));
    found.push(...(await reflowFindings(page)));
  } catch (err) {
    found.push(`  [error] ${err.message}`);
  } finally {
    await page.close();
  }
  return found;
}

await main();
