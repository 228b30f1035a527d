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
});
