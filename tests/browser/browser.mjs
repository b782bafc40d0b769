// Shared by the browser checks: how to start Debian's Chromium headless on these machines, and
// the command-line contract (one argument, the server's base URL; a time limit on the run).

import { chromium } from 'playwright-core';

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
