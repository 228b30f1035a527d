import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createTestDatabase, testDialect, type TestDatabase } from '../../helpers/database';

describe('GET /healthz', () => {
  let database: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ db: database.db });
  });
  afterAll(() => database.destroy());

  it('when the database answers, then it reports ok and which database is in use', async () => {
    const res = await request(app.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: testDialect });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('when the database is unreachable, then it answers 503', async () => {
    await database.db.close();
    const res = await request(app.app).get('/healthz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', database: testDialect });
  });
});
