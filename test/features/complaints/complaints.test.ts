import request from 'supertest';
import { deliverAll, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation } from '../../helpers/feedback';
import { factories } from '../../factories';

const DAY = 86_400_000;

describe('the Complaints Office', () => {
  const clock = manualClock(Date.parse('2026-09-01T16:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;

  it('when a member complains, then they see the process first, get a reference, and follow it through triage and resolution to the public register', async () => {
    const org = await feedbackOrganisation(knex(), { displayName: 'Cora Complainant' });
    const officer = await factories(knex()).account({ roles: ['complaints'], email: 'officer@org.test' });

    const anonymousVisitor = await request(context.app.app).get('/complaints/new').expect(200);
    expect(anonymousVisitor.text).toContain('acknowledges your complaint within 2 business days');
    expect(anonymousVisitor.text).toContain('Within 14 calendar days');
    expect(anonymousVisitor.text).toContain('Sign in to make a complaint');

    const member = await signedIn(context.app, org.member);
    const invalid = await postForm(member, '/complaints/new', '/complaints', { category: '', summary: 'Slow', description: 'Kept description text.' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Choose what the complaint is about.');
    expect(invalid.text).toContain('Kept description text.');

    const made = await postForm(member, '/complaints/new', '/complaints', { category: 'responsiveness', summary: 'Requests to the policy team go unanswered', description: 'Three requests since July have had no reply.' });
    expect(made.status).toBe(303);
    expect(made.headers.location).toBe('/complaints/mine/C-2026-00001');
    await deliverAll(context.app);
    expect(context.smtp.to(org.member.email).map((m) => m.subject)).toContain('Your complaint C-2026-00001 was received');
    expect(context.smtp.to(officer.email).map((m) => m.subject)).toContain('New complaint C-2026-00001');

    const office = await signedIn(context.app, officer);
    await postForm(office, '/complaints/office/C-2026-00001', '/complaints/office/C-2026-00001/acknowledge', {});
    const noReason = await postForm(office, '/complaints/office/C-2026-00001', '/complaints/office/C-2026-00001/triage', { decision: 'in_scope', reason: '' });
    expect(noReason.status).toBe(422);
    clock.advance(2 * DAY);
    await postForm(office, '/complaints/office/C-2026-00001', '/complaints/office/C-2026-00001/triage', { decision: 'in_scope', reason: 'A pattern of unanswered requests is within our remit.' });
    const followed = await member.get('/complaints/mine/C-2026-00001').expect(200);
    expect(followed.text).toContain('Under investigation');
    expect(followed.text).toContain('A pattern of unanswered requests is within our remit.');
    clock.advance(4 * DAY);
    expect((await postForm(office, '/complaints/office/C-2026-00001', '/complaints/office/C-2026-00001/resolve', { resolution: 'Requests now have a named owner and a five-day target.' })).status).toBe(303);
    expect((await member.get('/complaints/mine/C-2026-00001')).text).toContain('Resolved');

    // A second complaint withholds the name; a third belongs elsewhere.
    clock.advance(DAY);
    await postForm(member, '/complaints/new', '/complaints', { category: 'information', summary: 'Meeting records not published', description: 'The records of two meetings are missing.', redactName: 'yes' });
    await postForm(member, '/complaints/new', '/complaints', { category: 'responsiveness', summary: 'A registrar ignores my complaint', description: 'My registrar has not answered.' });
    clock.advance(DAY);
    await postForm(office, '/complaints/office/C-2026-00003', '/complaints/office/C-2026-00003/triage', { decision: 'contractual_compliance', reason: 'Registrar obligations are handled by Contractual Compliance.' });

    // The register shows a complaint only once the complaints officer approves it.
    expect((await request(context.app.app).get('/complaints/register.json').expect(200)).body.complaints).toEqual([]);
    for (const reference of ['C-2026-00001', 'C-2026-00002', 'C-2026-00003']) {
      expect((await postForm(office, `/complaints/office/${reference}`, `/complaints/office/${reference}/publish`, {})).status).toBe(303);
    }
    const register = await request(context.app.app).get('/complaints/register.json').expect(200);
    expect(register.body.complaints.map((c: { reference: string; complainant: string | null; status: string }) => [c.reference, c.complainant, c.status])).toEqual([
      ['C-2026-00003', 'Cora Complainant', 'redirected'],
      ['C-2026-00002', null, 'received'],
      ['C-2026-00001', 'Cora Complainant', 'resolved'],
    ]);
    const registerPage = await request(context.app.app).get('/complaints/register').expect(200);
    expect(registerPage.text).toContain('Name withheld');
    expect(registerPage.text).not.toContain('Three requests since July');
    expect(JSON.stringify(register.body)).not.toContain(org.member.email);

    // The report, against figures worked out from the timeline above.
    const resolutionDays = [6, 1]; // C-00001: triaged day 2, resolved day 6; C-00003: redirected a day after receipt.
    const expectedMedian = (resolutionDays[0]! + resolutionDays[1]!) / 2;
    const report = await request(context.app.app).get('/complaints/report?period=2026-H2').set('Accept', 'application/json').expect(200);
    expect(report.body).toEqual({
      period: '2026-H2',
      received: 3,
      resolved: 1,
      open: 1,
      redirected: { ombuds: 0, contractual_compliance: 1, reconsideration: 0, disclosure_request: 0 },
      categories: [
        { category: 'responsiveness', count: 2 },
        { category: 'information', count: 1 },
      ],
      medianDaysToResolution: expectedMedian,
    });
    expect((await request(context.app.app).get('/complaints/report?period=2026-H1').set('Accept', 'application/json')).body.received).toBe(0);

    // Someone else's complaint is not found from "my complaints".
    const stranger = await signedIn(context.app, org.hr);
    await stranger.get('/complaints/mine/C-2026-00001').expect(404);
  });

  it('when a complaint waits past its ladder steps, then the complaints officers are told once per step', async () => {
    const member = await signedIn(context.app, await factories(knex()).account({ roles: ['member'] }));
    await postForm(member, '/complaints/new', '/complaints', { category: 'process', summary: 'Waiting complaint', description: 'Nobody has looked at this yet.' });
    const complaint = await knex()('complaints').where({ summary: 'Waiting complaint' }).first();
    const sweep = () => context.app.services.complaints.sweepOverdue();
    await deliverAll(context.app);
    const officerMails = () => context.smtp.to('officer@org.test').filter((m) => m.subject === `Complaint ${complaint.reference} needs attention`);

    const stepsTaken = async () => (await knex()('complaint_escalations').where({ complaint_id: complaint.id })).length;

    clock.advance(Number(complaint.acknowledge_due_at) - 4 * 3_600_000 + 60_000 - clock.now());
    await sweep();
    expect(await stepsTaken()).toBe(1);
    expect(await sweep()).toBe(0);
    clock.advance(Number(complaint.respond_due_at) + 60_000 - clock.now());
    await sweep();
    expect(await stepsTaken()).toBe(2);
    expect(await sweep()).toBe(0);
    await deliverAll(context.app);
    expect(officerMails()).toHaveLength(2);
    expect(officerMails().map((m) => m.text).join('\n')).toContain('is now overdue');
  });
});
