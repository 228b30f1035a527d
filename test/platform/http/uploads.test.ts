import { csrfToken, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';

const BOUNDARY = '----accountable-test-boundary';

/** A multipart body with the token and the start of a file part, cut off before its end. */
function truncatedBody(token: string): string {
  return [`--${BOUNDARY}`, 'Content-Disposition: form-data; name="_csrf"', '', token, `--${BOUNDARY}`, 'Content-Disposition: form-data; name="file"; filename="staff.csv"', 'Content-Type: text/csv', '', 'email,name'].join('\r\n');
}

describe('malformed upload bodies', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  let hr: Agent;
  let routes: Array<{ form: string; action: string; formMarker: string }>;

  beforeAll(async () => {
    const account = await factories(knex()).account({ roles: ['hr'] });
    hr = await signedIn(context.app, account);
    const group = await factories(knex()).workingGroup();
    routes = [
      { form: '/directory/import', action: '/directory/import', formMarker: 'action="/directory/import"' },
      { form: `/working-groups/${group.id}/members/import`, action: `/working-groups/${group.id}/members/import`, formMarker: `action="/working-groups/${group.id}/members/import"` },
      { form: '/surveys/new', action: '/surveys', formMarker: 'action="/surveys"' },
    ];
  });

  const counts = async () => ({
    staff: Number((await knex()('staff_members').count({ n: '*' }).first())!.n),
    members: Number((await knex()('working_group_members').count({ n: '*' }).first())!.n),
    surveys: Number((await knex()('surveys').count({ n: '*' }).first())!.n),
  });

  it('when the body is cut off before its boundary ends, then each upload route renders its form again with a 400 and a message', async () => {
    const before = await counts();
    for (const route of routes) {
      const token = await csrfToken(hr, route.form);
      const res = await hr.post(route.action).set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`).send(truncatedBody(token));
      expect({ route: route.action, status: res.status }).toEqual({ route: route.action, status: 400 });
      expect(res.text).toContain('The file did not arrive whole, so nothing was saved.');
      expect(res.text).toContain(route.formMarker);
    }
    expect(await counts()).toEqual(before);
  });

  it('when the multipart content type has no boundary, then the answer is 400 with the message, not 500', async () => {
    for (const route of routes) {
      const res = await hr.post(route.action).set('Content-Type', 'multipart/form-data').send('email,name\r\n');
      expect({ route: route.action, status: res.status }).toEqual({ route: route.action, status: 400 });
      expect(res.text).toContain('The file did not arrive whole');
    }
  });

  it('when the file is too large or sent in an unexpected field, then the form says so with a 400', async () => {
    for (const route of routes) {
      const large = await hr
        .post(route.action)
        .field('_csrf', await csrfToken(hr, route.form))
        .attach('file', Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), { filename: 'big.csv', contentType: 'text/csv' });
      expect({ route: route.action, status: large.status }).toEqual({ route: route.action, status: 400 });
      expect(large.text).toContain('The file is larger than 5 MB');

      const unexpected = await hr
        .post(route.action)
        .field('_csrf', await csrfToken(hr, route.form))
        .attach('attachment', Buffer.from('email\r\n'), { filename: 'list.csv', contentType: 'text/csv' });
      expect({ route: route.action, status: unexpected.status }).toEqual({ route: route.action, status: 400 });
      expect(unexpected.text).toContain('Send one file, in the form');
    }
  });

  it('when a well-formed upload carries no token, then it is still refused as forged (the problem path skips nothing else)', async () => {
    const res = await hr.post('/directory/import').attach('file', Buffer.from('email,name\r\n'), { filename: 'staff.csv', contentType: 'text/csv' });
    expect(res.status).toBe(403);
  });
});
