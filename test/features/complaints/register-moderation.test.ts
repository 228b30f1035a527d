import request from 'supertest';
import { postForm, signedIn, useTestApp } from '../../helpers/app';
import { factories } from '../../factories';
import { COMPLAINTS_PER_HOUR } from '../../../server/app';

describe('the public complaints register is moderated', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  const registerJson = async () => (await request(context.app.app).get('/complaints/register.json').expect(200)).body.complaints as Array<{ reference: string; summary: string }>;
  const complain = (agent: Awaited<ReturnType<typeof signedIn>>, summary: string) => postForm(agent, '/complaints/new', '/complaints', { category: 'responsiveness', summary, description: `${summary}: the full description.` });

  it('when a complaint is filed, then neither the register page nor its JSON shows it until the complaints officer approves it, and the approval is audited once', async () => {
    const f = factories(knex());
    const member = await signedIn(context.app, await f.account({ roles: ['member'], displayName: 'Mona Member' }));
    const officerAccount = await f.account({ roles: ['complaints'] });
    const officer = await signedIn(context.app, officerAccount);
    const made = await complain(member, 'Unread summary of a complaint');
    expect(made.status).toBe(303);
    const reference = String(made.headers.location).split('/').pop()!;

    expect(await registerJson()).toEqual([]);
    const page = await request(context.app.app).get('/complaints/register').expect(200);
    expect(page.text).not.toContain('Unread summary of a complaint');
    expect(page.text).not.toContain(reference);
    const officeList = await officer.get('/complaints/office').expect(200);
    expect(officeList.text).toContain('Awaiting approval');

    // Nobody else may approve: a member is refused and the register stays empty.
    expect((await postForm(member, '/complaints/new', `/complaints/office/${reference}/publish`, {})).status).toBe(403);
    expect(await registerJson()).toEqual([]);

    expect((await postForm(officer, `/complaints/office/${reference}`, `/complaints/office/${reference}/publish`, {})).status).toBe(303);
    expect((await postForm(officer, `/complaints/office/${reference}`, `/complaints/office/${reference}/publish`, {})).status).toBe(303);
    expect((await registerJson()).map((c) => [c.reference, c.summary])).toEqual([[reference, 'Unread summary of a complaint']]);
    expect((await officer.get(`/complaints/office/${reference}`)).text).toMatch(/In the public register since \d{4}-\d{2}-\d{2}\./);

    const audit = await knex()('audit_events').select('actor_account_id', 'subject_type', 'subject_id').where({ action: 'complaints.publish' });
    const complaintId = Number((await knex()('complaints').select('id').where({ reference }).first()).id);
    expect(audit.map((a) => [Number(a.actor_account_id), a.subject_type, Number(a.subject_id)])).toEqual([[officerAccount.id, 'complaint', complaintId]]);
  });

  it('when one client files a flood of complaints, then those over the hourly limit are refused with a clear message and nothing is filed', async () => {
    const member = await signedIn(context.app, await factories(knex()).account({ roles: ['member'] }));
    const before = Number((await knex()('complaints').count({ n: '*' }).first())!.n);
    // The first test filed one from this client already.
    const statuses: number[] = [];
    for (let i = 0; i < COMPLAINTS_PER_HOUR + 1; i++) statuses.push((await complain(member, `Flood number ${i}`)).status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(COMPLAINTS_PER_HOUR - 1);
    expect(statuses.slice(COMPLAINTS_PER_HOUR - 1)).toEqual([429, 429]);
    const refused = await complain(member, 'One more after the limit');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Too many complaints have come from your network in the last hour. Nothing was filed');
    expect(refused.text).toContain('One more after the limit');
    expect(Number((await knex()('complaints').count({ n: '*' }).first())!.n)).toBe(before + COMPLAINTS_PER_HOUR - 1);
  });
});
