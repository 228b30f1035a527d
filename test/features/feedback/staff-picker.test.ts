import request from 'supertest';
import { STAFF_SEARCHES_PER_MINUTE } from '../../../server/features/feedback/feedback.routes';
import { useTestApp } from '../../helpers/app';
import { feedbackOrganisation } from '../../helpers/feedback';

describe('the public staff picker', () => {
  const context = useTestApp();

  it('when one client network searches too often, then it is refused with a wait, while the form about someone still opens', async () => {
    const org = await feedbackOrganisation(context.database.db.knex);
    for (let i = 0; i < STAFF_SEARCHES_PER_MINUTE; i++) await request(context.app.app).get('/feedback/new?q=staff').expect(200);
    const refused = await request(context.app.app).get('/feedback/new?q=staff').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(context.app.app).get(`/feedback/new?staff=${org.staff.staffMemberId}`).expect(200);
  });
});
