import { screenshot, useBrowserApp, watchedPage } from '../helpers/browser';

jest.setTimeout(60_000);

describe('the public service-levels page in a browser', () => {
  const context = useBrowserApp();

  test('anyone opens it without signing in, and the chart draws under the strict CSP', async () => {
    const { context: browserContext, page, errors } = await watchedPage(context.browser);
    try {
      const response = await page.goto(`${context.baseUrl}/service-levels`);
      expect(response?.status()).toBe(200);
      await page.getByTestId('service-levels').waitFor({ state: 'visible' });
      // Chart.js replaces the canvas's default size once it has drawn.
      await page.waitForFunction(() => {
        const canvas = document.getElementById('service-levels-chart') as HTMLCanvasElement | null;
        return !!canvas && canvas.width !== 300 && (window as unknown as { Chart?: { getChart(c: unknown): unknown } }).Chart?.getChart(canvas) !== undefined;
      });
      await screenshot(page, 'service-levels-public');
      expect(errors).toEqual([]);
    } finally {
      await browserContext.close();
    }
  });
});
