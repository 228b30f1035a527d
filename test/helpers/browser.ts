import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemoOrganisation } from '../../server/demo/seed';
import { projectRoot } from '../../server/platform/paths';
import { createTestApp, manualClock, type TestApp } from './app';
import { createTestDatabase, type TestDatabase } from './database';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(projectRoot, 'test-results');

/**
 * A served app on the demo organisation and a headless Debian chromium, for one test file. A missing
 * browser is a failure, never a skip: `npm test` installs it through test/setup/prepare.sh.
 */
export function useBrowserApp() {
  // A clock the test can move: unattributed items reach the inbox after a random delay.
  const context = { clock: manualClock(Date.now()) } as { database: TestDatabase; app: TestApp; server: Server; browser: Browser; baseUrl: string; clock: ReturnType<typeof manualClock> };
  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium. Run \`bash test/setup/prepare.sh\` (as root) or \`apt-get install -y chromium\`.`);
    }
    context.database = await createTestDatabase();
    await seedDemoOrganisation(context.database.db.knex, { now: () => Date.now() }, { env: 'test', passwordHashCost: 'low' });
    context.app = await createTestApp({ db: context.database.db, clock: context.clock });
    context.server = await new Promise<Server>((resolve, reject) => {
      const listening = context.app.app.listen(0, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
    context.baseUrl = `http://127.0.0.1:${(context.server.address() as AddressInfo).port}`;
    context.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await context.browser?.close();
    if (context.server) {
      context.server.closeAllConnections();
      await new Promise<void>((resolve) => context.server.close(() => resolve()));
    }
    await context.database?.destroy();
  });
  return context;
}

/** A page that records console errors and page errors (a CSP violation shows up there). */
export async function watchedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url || page.url()})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message} (${page.url()})`));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signInWithBrowser(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('form[action="/sign-in"] button[type="submit"]')]);
}
