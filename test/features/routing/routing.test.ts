import { type Agent, deliverAll, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';

type Organisation = Awaited<ReturnType<typeof feedbackOrganisation>>;

describe('routing feedback to the right person', () => {
  const context = useTestApp({ smtp: true });
  let org: Organisation;
  let member: Agent;
  const knex = () => context.database.db.knex;
  const as = (who: { email: string; password: string }) => signedIn(context.app, who);
  /** Sends feedback and returns the staff member it was routed to. */
  const recipientOf = async (staffMemberId: number, fields: Record<string, string> = {}) => {
    const { res } = await submitFeedback(member, staffMemberId, { kind: 'suggestion', comment: 'Routing check.', ...fields });
    expect(res.status).toBe(200);
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first();
    return Number(routed.recipient_staff_member_id);
  };

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
    member = await as(org.member);
  });

  it('when feedback is about a staff member, then their people manager receives it', async () => {
    expect(await recipientOf(org.staff.staffMemberId)).toBe(org.manager.staffMemberId);
  });

  it('when feedback is about a people manager, then it goes one level up, to their manager', async () => {
    expect(await recipientOf(org.manager.staffMemberId)).toBe(org.executive.staffMemberId);
  });

  it('when the submitter asks for escalation, then it goes one level up', async () => {
    expect(await recipientOf(org.staff.staffMemberId, { escalate: 'yes' })).toBe(org.executive.staffMemberId);
  });

  it('when feedback is about the head of the organisation, then the complaints officer receives it', async () => {
    expect(await recipientOf(org.executive.staffMemberId)).toBe(org.complaints.staffMemberId);
  });

  it('when an admin adds a rule, then new feedback follows it; when it is deleted, routing is as before; items keep their recipient', async () => {
    const admin = await as(org.admin);
    const added = await postForm(admin, '/admin/routing-rules', '/admin/routing-rules', { position: '1', kind: 'concern', subjectIsManager: 'any', escalationRequested: 'any', target: 'complaints_officer' });
    expect(added.status).toBe(303);
    const rules = await admin.get('/admin/routing-rules').expect(200);
    expect(rules.text).toContain('The complaints officer');

    expect(await recipientOf(org.staff.staffMemberId, { kind: 'concern' })).toBe(org.complaints.staffMemberId);
    expect(await recipientOf(org.staff.staffMemberId, { kind: 'appreciation' })).toBe(org.manager.staffMemberId);
    const routedWhileRuleHeld = await knex()('routed_items').orderBy('id', 'desc').offset(1).first();

    const rule = await knex()('routing_rules').where({ kind: 'concern' }).first();
    expect((await postForm(admin, '/admin/routing-rules', `/admin/routing-rules/${rule.id}/delete`, {})).status).toBe(303);
    expect(await recipientOf(org.staff.staffMemberId, { kind: 'concern' })).toBe(org.manager.staffMemberId);
    expect(Number((await knex()('routed_items').where({ id: routedWhileRuleHeld.id }).first()).recipient_staff_member_id)).toBe(org.complaints.staffMemberId);

    const audit = await knex()('audit_events').whereIn('action', ['routing.rule.create', 'routing.rule.delete']);
    expect(audit).toHaveLength(2);
  });

  it('when a rule is entered badly, then the form names the field and keeps the rest', async () => {
    const admin = await as(org.admin);
    const bad = await postForm(admin, '/admin/routing-rules', '/admin/routing-rules', { position: 'first', kind: 'concern', subjectIsManager: 'yes', escalationRequested: 'any', target: 'the moon' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a whole number from 1 to 999.');
    expect(bad.text).toMatch(/<option value="yes" selected>/);
    expect(bad.text).toMatch(/value="concern" selected/);
  });

  it('when a manager forwards an item, then the new recipient has it and the history keeps both', async () => {
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Forward me.' });
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first();
    const manager = await as(org.manager);
    const toSubject = await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/forward`, { recipientEmail: org.staff.email, note: '' });
    expect(toSubject.status).toBe(422);
    expect(toSubject.text).toContain('Feedback cannot be forwarded to the person it is about.');
    const unknown = await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/forward`, { recipientEmail: 'nobody@org.test', note: 'kept note' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('No staff member has this e-mail address.');
    expect(unknown.text).toContain('value="kept note"');

    const forwarded = await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/forward`, { recipientEmail: org.otherManager.email, note: 'Your area.' });
    expect(forwarded.status).toBe(303);
    await manager.get(`/inbox/${routed.public_id}`).expect(404);
    const other = await as(org.otherManager);
    const page = await other.get(`/inbox/${routed.public_id}`).expect(200);
    expect(page.text).toContain('Your area.');
    const events = await knex()('routed_item_events').where({ routed_item_id: routed.id }).orderBy('id');
    expect(events.map((e) => [e.type, e.from_staff_member_id, e.to_staff_member_id].map((v) => (v === null ? null : typeof v === 'string' ? v : Number(v))))).toEqual([
      ['received', null, org.manager.staffMemberId],
      ['forwarded', org.manager.staffMemberId, org.otherManager.staffMemberId],
    ]);
    await deliverAll(context.app);
    expect(context.smtp.to(org.otherManager.email).some((m) => m.subject.startsWith('New feedback to review'))).toBe(true);
  });

  it('when HR reassigns an item, then it moves with a history entry; a manager cannot reassign', async () => {
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Reassign me.' });
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first();
    const manager = await as(org.manager);
    expect((await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reassign`, { recipientEmail: org.otherManager.email })).status).toBe(403);
    const hr = await as(org.hr);
    const page = await hr.get(`/inbox/${routed.public_id}`).expect(200);
    expect(page.text).toContain('Reassign to another staff member');
    expect((await postForm(hr, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reassign`, { recipientEmail: org.otherManager.email, note: 'Cover while away.' })).status).toBe(303);
    expect(Number((await knex()('routed_items').where({ id: routed.id }).first()).recipient_staff_member_id)).toBe(org.otherManager.staffMemberId);
    const last = await knex()('routed_item_events').where({ routed_item_id: routed.id }).orderBy('id', 'desc').first();
    expect([last.type, last.actor, last.body]).toEqual(['reassigned', 'hr', 'Cover while away.']);
  });

  it('when the inbox is filtered, then counts per status are shown and pages hold twenty items', async () => {
    for (let i = 0; i < 22; i++) await submitFeedback(member, org.otherStaff.staffMemberId, { comment: `Bulk ${i}` });
    const other = await as(org.otherManager);
    const all = await other.get('/inbox.json').expect(200);
    expect(all.body.items).toHaveLength(20);
    expect(all.body.pageCount).toBe(2);
    expect(all.body.counts.received).toBeGreaterThanOrEqual(22);
    const filtered = await other.get(`/inbox.json?status=closed`).expect(200);
    expect(filtered.body.items).toHaveLength(0);
    const countAbout = async (subject: number) =>
      Number((await knex()('routed_items').where({ recipient_staff_member_id: org.otherManager.staffMemberId, subject_staff_member_id: subject }).count({ n: '*' }).first())!.n);
    const aboutTheirReport = await other.get(`/inbox.json?staff=${org.otherStaff.staffMemberId}`).expect(200);
    expect(aboutTheirReport.body.total).toBe(await countAbout(org.otherStaff.staffMemberId));
    const aboutSomeoneElse = await other.get(`/inbox.json?staff=${org.staff.staffMemberId}`).expect(200);
    expect(aboutSomeoneElse.body.total).toBe(await countAbout(org.staff.staffMemberId));
    expect(aboutSomeoneElse.body.total).toBeGreaterThan(0);
    expect(aboutTheirReport.body.total + aboutSomeoneElse.body.total).toBe(all.body.total);
    const html = await other.get(`/inbox?staff=${org.otherStaff.staffMemberId}&page=2`).expect(200);
    expect(html.text).toContain(`Page 2 of 2 (${aboutTheirReport.body.total} in all)`);
    // Nonsense in the filter is ignored, not a failure.
    expect((await other.get('/inbox.json?staff=1e999').expect(200)).body.total).toBe(all.body.total);
  });
});
