import { manualClock, useTestApp } from '../../helpers/app';
import { statementsOf } from '../../helpers/queries';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';

describe('the statements one input packet runs', () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when two staff members received few and many named items, then their packets run the same number of statements', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H1', { status: 'closed' });
    const member = (await context.app.services.accounts.findActor(org.member.id))!;
    await giveFeedback(context.app, knex(), org.s1.staffMemberId, { member, ratings: { listening: 4 } });
    for (let i = 0; i < 8; i++) {
      await giveFeedback(context.app, knex(), org.s2.staffMemberId, { member, ratings: { listening: 3 }, comment: `Named ${i}` });
      await giveFeedback(context.app, knex(), org.s2.staffMemberId, { ratings: { listening: 5 }, comment: `Anonymous ${i}` });
    }
    clock.advance(Date.parse('2026-08-01T10:00:00Z') - clock.now());
    const hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    const packets = context.app.services.packets;
    // The first read freezes the period's population; count from the second on.
    await packets.packet(hr, cycleId, org.s1.staffMemberId);
    const few = await statementsOf(knex(), () => packets.packet(hr, cycleId, org.s1.staffMemberId));
    const many = await statementsOf(knex(), () => packets.packet(hr, cycleId, org.s2.staffMemberId));
    expect(many.result.comments.filter((c) => c.submitterName !== null)).toHaveLength(8);
    expect(few.result.comments.filter((c) => c.submitterName !== null)).toHaveLength(1);
    // One read of the submitters' names for all of a packet's named items (was one per item).
    expect(many.statements.filter((sql) => sql.includes('feedback_identities'))).toHaveLength(1);
    expect(many.statements).toHaveLength(few.statements.length);
  });
});

describe('the counts an ended cycle\'s packets are figured from', () => {
  const clock = manualClock(Date.parse('2026-09-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when a packet of an ended cycle is read again, then its department\'s counts are read back as stored, not counted again, and its figures are the same', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H2', { status: 'closed' });
    for (let i = 0; i < 6; i++) {
      clock.advance(60_000);
      await giveFeedback(context.app, knex(), org.s1.staffMemberId, { ratings: { listening: 1 + (i % 5) } });
      await giveFeedback(context.app, knex(), org.s2.staffMemberId, { ratings: { listening: 2 + (i % 4) } });
    }
    clock.advance(Date.parse('2027-02-01T10:00:00Z') - clock.now());
    const hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    const packets = context.app.services.packets;
    const first = await statementsOf(knex(), () => packets.packet(hr, cycleId, org.s1.staffMemberId));
    const again = await statementsOf(knex(), () => packets.packet(hr, cycleId, org.s1.staffMemberId));
    const countsRatings = (sql: string) => sql.includes('feedback_ratings') && /group by/i.test(sql);
    expect(first.statements.filter(countsRatings).length).toBeGreaterThan(0);
    expect(again.statements.filter(countsRatings)).toEqual([]);
    expect(again.statements.filter((sql) => sql.includes('packet_part_counts'))).not.toEqual([]);
    expect(again.result.dimensions).toEqual(first.result.dimensions);
    expect(again.result.dimensions.some((d) => !d.current.suppressed)).toBe(true);
    expect(again.result.handling).toEqual(first.result.handling);
  });
});
