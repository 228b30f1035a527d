import { manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { reviewCycle, reviewOrganisation } from '../../helpers/reviews';

describe(`a background export that failed (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-09-01T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when its build stopped, then its page is marked finished, so public/js/progress.js stops asking and does not reload it again and again', async () => {
    const org = await reviewOrganisation(knex());
    const cycle = await reviewCycle(knex(), '2026-H2');
    const hr = await signedIn(context.app, org.hr);
    const jobUrl = (await postForm(hr, `/reviews/${cycle}/progress`, `/reviews/${cycle}/exports`, { format: 'csv' })).headers.location!;
    const running = await hr.get(jobUrl).expect(200);
    expect(running.text).toMatch(/data-progress-url="[^"]+">/);

    await knex()('export_jobs').where({ id: Number(jobUrl.split('/').pop()) }).update({ status: 'failed', finished_at: clock.now() });
    const page = await hr.get(jobUrl).expect(200);
    expect((await hr.get(jobUrl).set('Accept', 'application/json')).body.status).toBe('failed');
    // The script reloads the page when the job has ended: a page without the mark would loop.
    expect(page.text).toMatch(/data-progress-url="[^"]+" data-finished>/);
    expect(page.text).not.toContain('data-testid="download"');
  });
});
