// Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol, WebAuthn
// domain) stands in for a fingerprint reader. A person signs up, registers a passkey on the
// two-factor page through `passkey.js`, signs out, and signs in again with the passkey alone;
// the two-factor page with its passkey list and the sign-in step are checked with axe-core.
//
//   node tests/browser/passkey.mjs http://localhost:8080
//
// The address must be a host name (such as localhost): browsers refuse passkeys on an IP
// address. Exits 0 when every step works, 1 on a finding, 2 on a usage or set-up error.

import { axeFindings, baseUrl, launch, signIn, signUpAndSignInOn } from './browser.mjs';

const base = baseUrl('passkey', 120);

async function main() {
  const browser = await launch();
  const failures = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => failures.push(`[script error] ${err.message}`));
    // Every request the script makes must succeed (the browser's own favicon probe aside).
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) {
        failures.push(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
      }
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    const email = `passkey-${Date.now()}@example.jp`;
    await signUpAndSignInOn(page, base, email);

    // Register: the form appears only with the script and WebAuthn; the name is the person's.
    await page.goto(`${base}/account/two-factor`, { waitUntil: 'load' });
    if (!(await page.isVisible('#passkey-register'))) throw new Error('the passkey form is not shown');
    await page.fill('#passkey-name', '検査用の認証器');
    await Promise.all([
      page.waitForURL(/done=passkey-added/, { timeout: 15000 }),
      page.click('#passkey-register button[type=submit]'),
    ]);
    const listed = await page.textContent('main table');
    if (!listed.includes('検査用の認証器')) throw new Error('the registered passkey is not listed');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    if (credentials.length !== 1) throw new Error(`the authenticator holds ${credentials.length} credentials`);
    console.log('ok    passkey registered through passkey.js');
    for (const f of await axeFindings(page)) failures.push(`/account/two-factor with a passkey:\n${f}`);

    // Sign out, sign in again: the second step offers the passkey, and it completes sign-in.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('header form.inline-form button')]);
    await signIn(page, base, email);
    if (!page.url().includes('/login/second-factor')) throw new Error(`sign-in went to ${page.url()}, not the second step`);
    if (!(await page.isVisible('#passkey-sign-in'))) throw new Error('the passkey button is not shown');
    if (await page.isVisible('#f-code')) throw new Error('a code form is shown to an account without codes');
    for (const f of await axeFindings(page)) failures.push(`/login/second-factor:\n${f}`);
    await Promise.all([
      page.waitForURL(/\/account$/, { timeout: 15000 }),
      page.click('#passkey-sign-in'),
    ]);
    if (!(await page.textContent('main h1')).length) throw new Error('the account page is empty');
    console.log('ok    signed in with the passkey');
  } finally {
    await browser.close();
  }
  if (failures.length > 0) {
    console.log(failures.join('\n'));
    process.exit(1);
  }
  console.log('== passkey registration and sign-in work in Chromium');
}

await main();
