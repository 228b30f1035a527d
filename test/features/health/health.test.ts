import request from 'supertest';
import { useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';

describe('GET /healthz', () => {
  const context = useTestApp();

  it('when the database answers, then it reports ok and which database is in use', async () => {
    const res = await request(context.app.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: testDialect });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('when the database is unreachable, then it answers 503', async () => {
    await context.database.db.close();
    const res = await request(context.app.app).get('/healthz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', database: testDialect });
  });
});
