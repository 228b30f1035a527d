import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';
import { DEMO_PASSWORD, seedDemoOrganisation } from '../../server/demo/seed';
import { createTestApp, type TestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * A real browser signs in as the demo people manager and opens the staff directory. Console errors
 * (a Content-Security-Policy violation shows up there) fail the test. A missing browser is a
 * failure, never a skip: `npm test` installs it through test/setup/prepare.sh.
 */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', '..', 'test-results', 'directory-manager.png');

jest.setTimeout(60_000);

let database: TestDatabase | undefined;
let app: TestApp | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let baseUrl = '';

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium. Run \`bash test/setup/prepare.sh\` (as root) or \`apt-get install -y chromium\`.`);
  }
  database = await createTestDatabase();
  await seedDemoOrganisation(database.db.knex, { now: () => Date.now() }, { env: 'test', passwordHashCost: 'low' });
  app = await createTestApp({ db: database.db });
  const listening = app.app.listen(0, '127.0.0.1');
  server = listening;
  await new Promise<void>((resolve, reject) => {
    listening.once('listening', () => resolve());
    listening.once('error', reject);
  });
  baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (server) {
    const s = server;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await app?.outboxSender.stop();
  await database?.destroy();
});

test('a people manager signs in and sees the staff directory', async () => {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    consoleErrors.push(`${msg.text()} (${msg.location().url || page.url()})`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message} (${page.url()})`));

  try {
    await page.goto(`${baseUrl}/sign-in`);
    await page.fill('input[name="email"]', 'manager@demo.example');
    await page.fill('input[name="password"]', DEMO_PASSWORD);
    await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('form[action="/sign-in"] button[type="submit"]')]);

    const response = await page.goto(`${baseUrl}/directory`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Staff directory' }).isVisible()).resolves.toBe(true);
    const table = page.getByTestId('staff-table');
    await table.waitFor({ state: 'visible' });
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The list is paged by name, so find a known demo staff member through the search form.
    await page.fill('input[name="q"]', 'Mensah');
    await Promise.all([page.waitForURL(/\/directory\?/), page.click('form[role="search"] button[type="submit"]')]);
    await table.waitFor({ state: 'visible' });
    await expect(table.textContent()).resolves.toContain('Samuel Mensah');

    expect(consoleErrors).toEqual([]);
  } finally {
    await context.close();
  }
});
