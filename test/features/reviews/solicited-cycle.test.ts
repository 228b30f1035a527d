import { agentFor, deliverAll, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { feedbackOrganisation } from '../../helpers/feedback';
import { linkIn } from '../../helpers/mail';
import { answerRequest, createCycle, giveFeedback, openCycle, solicitPath } from '../../helpers/reviews';
import { formBody } from '../../helpers/surveys';

const DAY = 86_400_000;

describe(`solicited input belongs to the cycle it was asked for (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-12-15T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;

  it('when a solicited answer arrives in the review window (after the period, before the deadline), then it is in the requested cycle\'s packet, moves none of its figures, and is not in the next cycle\'s', async () => {
    const org = await feedbackOrganisation(knex());
    const staffId = org.staff.staffMemberId;
    const hr = await signedIn(context.app, org.hr);
    const h2 = await createCycle(hr, { code: '2026-H2', reviewOpensOn: '2027-01-01', reviewClosesOn: '2027-01-31' });
    await openCycle(hr, h2);
    const h1 = await createCycle(hr, { code: '2027-H1', reviewOpensOn: '2027-07-01', reviewClosesOn: '2027-07-31' });
    await openCycle(hr, h1);

    // Five items in the period: enough for the packet's figures once it ends.
    for (let i = 0; i < 5; i++) await giveFeedback(context.app, knex(), staffId, { kind: 'appreciation', comment: `In the period ${i}` });

    const manager = await signedIn(context.app, org.manager);
    const page = await manager.get(solicitPath(h2, staffId)).expect(200);
    const asked = await manager
      .post(solicitPath(h2, staffId))
      .type('form')
      .send(formBody({ _csrf: page.text.match(/name="_csrf" value="([^"]+)"/)![1]!, deadlineOn: '2027-01-20', addresses: 'asked.member@community.test' }));
    expect(asked.status).toBe(303);
    await deliverAll(context.app);
    const link = linkIn(context.smtp.to('asked.member@community.test')[0]!, '/feedback/requested/');

    // The period ends on 31 December; the answer comes on 10 January, in the review window.
    clock.advance(26 * DAY);
    const answered = await answerRequest(agentFor(context.app), link, { attribution: 'anonymous', kind: 'concern', comment: 'Asked for, answered in the review window.' });
    expect(answered.res.status).toBe(200);
    await giveFeedback(context.app, knex(), staffId, { comment: 'Unsolicited, in January.' });

    const stored = await knex()('feedback_items').select('comment', 'solicited', 'solicited_cycle_id').where({ staff_member_id: staffId }).whereIn('comment', ['Asked for, answered in the review window.', 'Unsolicited, in January.']).orderBy('comment');
    // Anonymous: not marked "solicited" for anyone to read, but filed under the cycle it was asked for.
    expect(stored.map((r) => [r.comment, Boolean(r.solicited), r.solicited_cycle_id === null ? null : Number(r.solicited_cycle_id)])).toEqual([
      ['Asked for, answered in the review window.', false, h2],
      ['Unsolicited, in January.', false, null],
    ]);

    const requested = (await manager.get(`/reviews/${h2}/packets/${staffId}`).expect(200)).text;
    expect(requested).toContain('Asked for, answered in the review window.');
    expect(requested).not.toContain('Unsolicited, in January.');
    // The figures were final at the period's end and stay as they were: five appreciations, no concern.
    expect(requested).toContain('data-figure="total">5<');
    expect(requested).toContain('data-figure="concern">0<');

    const next = (await manager.get(`/reviews/${h1}/packets/${staffId}`).expect(200)).text;
    expect(next).toContain('Unsolicited, in January.');
    expect(next).not.toContain('Asked for, answered in the review window.');
  });
});
