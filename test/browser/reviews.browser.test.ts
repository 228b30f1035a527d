import { screenshot, signInWithBrowser, useBrowserApp, watchedPage } from '../helpers/browser';
import { giveFeedback, reviewCycle } from '../helpers/reviews';

jest.setTimeout(90_000);

describe('input packets and exports in a browser', () => {
  const context = useBrowserApp();

  test('a manager reads a packet with its charts and marks it reviewed; HR follows an export until it can be downloaded', async () => {
    const knex = context.database.db.knex;
    const [staff] = await knex('staff_members').select('id', 'name').where({ email: 'staff@demo.example' });
    const cycleId = await reviewCycle(knex, '2026-H1');
    // Six rated items in the first half-year, given at that time.
    const now = context.clock.now();
    context.clock.advance(Date.parse('2026-03-10T10:00:00Z') - now);
    for (const [i, score] of [5, 4, 4, 3, 5, 4].entries()) {
      await giveFeedback(context.app, knex, staff.id, { comment: `Browser packet comment ${i}`, ratings: { listening: score, consensus: 6 - score } });
    }
    context.clock.advance(now - context.clock.now());

    const manager = await watchedPage(context.browser);
    const hr = await watchedPage(context.browser);
    try {
      const { page } = manager;
      await signInWithBrowser(page, context.baseUrl, 'manager@demo.example');
      await page.goto(`${context.baseUrl}/reviews`);
      await Promise.all([page.waitForURL(/\/reviews\/\d+\/packets$/), page.click(`a[href="/reviews/${cycleId}/packets"]`)]);
      await Promise.all([page.waitForURL(/\/packets\/\d+$/), page.click(`a:has-text("${staff.name}")`)]);
      await expect(page.locator('tr[data-dimension="Listens to all stakeholders"] [data-figure="mean"]').textContent()).resolves.toBe('4.17');
      // Chart.js drew the distributions: canvases sized by the library, under the strict CSP.
      await page.waitForFunction(() => [...document.querySelectorAll('canvas.packet-chart')].every((c) => (c as HTMLCanvasElement).width > 0 && c.getAttribute('style')?.includes('display')));
      await expect(page.locator('canvas.packet-chart').count()).resolves.toBe(2);
      await screenshot(page, 'reviews-1-packet');
      await page.fill('textarea[name="notes"]', 'Discuss the call times.');
      await Promise.all([page.waitForURL(/\/packets\/\d+$/), page.click('form[action$="/review"] button[type="submit"]')]);
      await expect(page.getByTestId('reviewed').textContent()).resolves.toContain('Marked as reviewed');

      await signInWithBrowser(hr.page, context.baseUrl, 'hr@demo.example');
      await hr.page.goto(`${context.baseUrl}/reviews/${cycleId}/progress`);
      await Promise.all([hr.page.waitForURL(/\/reviews\/exports\/\d+$/), hr.page.click('button[value="xlsx"]')]);
      await expect(hr.page.getByTestId('export-status').textContent()).resolves.toBe('Waiting to start');
      // The worker builds it while the page is open; the page follows and offers the download.
      await context.app.services.exports.runOnce();
      await hr.page.waitForSelector('[data-testid="download"]', { timeout: 15_000 });
      await screenshot(hr.page, 'reviews-2-export-ready');
      const [download] = await Promise.all([hr.page.waitForEvent('download'), hr.page.click('[data-testid="download"]')]);
      expect(download.suggestedFilename()).toBe('packets-2026-H1.xlsx');

      expect(manager.errors).toEqual([]);
      expect(hr.errors).toEqual([]);
    } finally {
      await manager.context.close();
      await hr.context.close();
    }
  });
});
