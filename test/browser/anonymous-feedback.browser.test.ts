import { screenshot, signInWithBrowser, useBrowserApp, watchedPage } from '../helpers/browser';
import { NOTIFICATION_DELAY_MINUTES } from '../../server/features/routing/inbox.service';

jest.setTimeout(90_000);

describe('anonymous feedback in a browser', () => {
  const context = useBrowserApp();

  test('a visitor gives anonymous feedback, keeps the receipt code, and later reads the manager\'s reply and answers it', async () => {
    const visitor = await watchedPage(context.browser);
    const manager = await watchedPage(context.browser);
    try {
      const { page } = visitor;
      // Find the staff member and open the form.
      await page.goto(`${context.baseUrl}/feedback/new`);
      await page.fill('input[name="q"]', 'Mensah');
      await Promise.all([page.waitForURL(/q=Mensah/), page.click('form[role="search"] button[type="submit"]')]);
      await Promise.all([page.waitForURL(/staff=\d+/), page.click('[data-testid="staff-choices"] a:has-text("Samuel Mensah")')]);
      await page.check('input[name="kind"][value="suggestion"]');
      await page.fill('textarea[name="comment"]', 'Please share the call agenda a day earlier.');
      await page.check('input[name="rating_5"][value="4"]');
      await expect(page.isChecked('input[name="attribution"][value="anonymous"]')).resolves.toBe(true);
      await expect(page.isDisabled('input[name="attribution"][value="named"]')).resolves.toBe(true);
      await screenshot(page, 'anonymous-1-form');
      await Promise.all([page.waitForURL(`${context.baseUrl}/feedback`), page.click('form[action="/feedback"] button[type="submit"]')]);
      const code = (await page.getByTestId('receipt-code').textContent())!.trim();
      expect(code).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
      const reference = (await page.textContent('main'))!.match(/F-\d{4}-[0-9A-Z]{8}/)![0];
      await screenshot(page, 'anonymous-2-receipt');

      // The manager answers in their inbox, once the item has appeared there.
      context.clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
      await signInWithBrowser(manager.page, context.baseUrl, 'manager@demo.example');
      await manager.page.goto(`${context.baseUrl}/inbox`);
      // By its reference: within a day the inbox lists items in an order that tells nothing.
      await Promise.all([manager.page.waitForURL(/\/inbox\/[0-9A-Z]{12}$/), manager.page.click(`[data-testid="inbox-table"] a:has-text("${reference}")`)]);
      await expect(manager.page.getByTestId('comment').textContent()).resolves.toContain('Please share the call agenda a day earlier.');
      await expect(manager.page.getByTestId('submitter').textContent()).resolves.toContain('Anonymous');
      await manager.page.fill('textarea[name="body"]', 'Agreed: agendas will go out 48 hours ahead from next week.');
      await Promise.all([manager.page.waitForURL(/\/inbox\/[0-9A-Z]{12}$/), manager.page.click('form[action$="/reply"] button[type="submit"]')]);
      await screenshot(manager.page, 'anonymous-3-manager-replied');

      // Back with the receipt code, in a fresh browser context: nothing but the code links them.
      await visitor.context.clearCookies();
      await page.goto(`${context.baseUrl}/receipt`);
      await page.fill('input[name="code"]', code.toLowerCase());
      await Promise.all([page.waitForURL(`${context.baseUrl}/receipt`), page.click('form[action="/receipt"] button[type="submit"]')]);
      await expect(page.getByTestId('thread').textContent()).resolves.toContain('Agreed: agendas will go out 48 hours ahead from next week.');
      await expect(page.getByTestId('status').textContent()).resolves.toContain('Responded');
      await screenshot(page, 'anonymous-4-reply-read');
      await page.fill('textarea[name="body"]', 'Thank you!');
      await Promise.all([page.waitForURL(`${context.baseUrl}/receipt/reply`), page.click('form[action="/receipt/reply"] button[type="submit"]')]);
      await expect(page.getByTestId('thread').textContent()).resolves.toContain('Thank you!');
      await screenshot(page, 'anonymous-5-answered');

      expect(visitor.errors).toEqual([]);
      expect(manager.errors).toEqual([]);
    } finally {
      await visitor.context.close();
      await manager.context.close();
    }
  });
});
