import { screenshot, signInWithBrowser, useBrowserApp, watchedPage } from '../helpers/browser';

jest.setTimeout(60_000);

describe('the directory in a browser', () => {
  const context = useBrowserApp();

  test('a people manager signs in and sees the staff directory', async () => {
    const { context: browserContext, page, errors } = await watchedPage(context.browser);
    try {
      await signInWithBrowser(page, context.baseUrl, 'manager@demo.example');
      const response = await page.goto(`${context.baseUrl}/directory`);
      expect(response?.status()).toBe(200);
      await expect(page.getByRole('heading', { name: 'Staff directory' }).isVisible()).resolves.toBe(true);
      const table = page.getByTestId('staff-table');
      await table.waitFor({ state: 'visible' });
      expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
      await screenshot(page, 'directory-manager');

      // The list is paged by name, so find a known demo staff member through the search form.
      await page.fill('input[name="q"]', 'Mensah');
      await Promise.all([page.waitForURL(/\/directory\?/), page.click('form[role="search"] button[type="submit"]')]);
      await table.waitFor({ state: 'visible' });
      await expect(table.textContent()).resolves.toContain('Samuel Mensah');
      expect(errors).toEqual([]);
    } finally {
      await browserContext.close();
    }
  });

  test('HR imports a large file and its progress page follows the background job until it is done', async () => {
    const { context: browserContext, page, errors } = await watchedPage(context.browser);
    try {
      await signInWithBrowser(page, context.baseUrl, 'hr@demo.example');
      await page.goto(`${context.baseUrl}/directory/import`);
      const lines = Array.from({ length: 600 }, (_, i) => `browser${i}@demo.example,Browser Person ${i},Analyst,Browser Import,,no,no`);
      await page.setInputFiles('input[name="file"]', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(['email,name,title,department,manager_email,community_facing,executive', ...lines].join('\n')) });
      await Promise.all([page.waitForURL(/\/jobs\/[A-Za-z0-9_-]{22}$/), page.click('form[action="/directory/import"] button[type="submit"]')]);
      await expect(page.getByTestId('job-status').textContent()).resolves.toBe('Waiting to start');
      // The worker writes it while the page is open; the page's script follows and reloads when done.
      await context.app.services.jobs.runOnce();
      await page.waitForSelector('[data-testid="job-result"]', { timeout: 15_000 });
      await expect(page.getByTestId('job-result').textContent()).resolves.toContain('Import complete: 600 added, 0 updated, 1 new departments.');
      await screenshot(page, 'directory-import-job');
      expect(errors).toEqual([]);
    } finally {
      await browserContext.close();
    }
  });
});
