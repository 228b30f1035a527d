import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import { COMMENT_PAGE_SIZE } from '../../../server/features/reviews/packets.service';

describe('a packet page shows its comments a page at a time', () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when a staff member received more comments than a page holds, then the pages together are every comment once, in the full order, and the figures and themes count them all', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H1', { status: 'closed' });
    const member = (await context.app.services.accounts.findActor(org.member.id))!;
    const given = COMMENT_PAGE_SIZE + 12;
    for (let i = 0; i < given; i++) {
      // Over several days, named and anonymous, so the order is by day and then at random within one.
      if (i % 20 === 0) clock.advance(86_400_000);
      await giveFeedback(context.app, knex(), org.s1.staffMemberId, i % 3 === 0 ? { member, comment: `Named listening ${i}` } : { comment: `Anonymous listening ${i}` });
    }
    clock.advance(Date.parse('2026-08-01T10:00:00Z') - clock.now());
    const hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    const packets = context.app.services.packets;
    const whole = await packets.packet(hr, cycleId, org.s1.staffMemberId, 'pdf');
    const first = await packets.packet(hr, cycleId, org.s1.staffMemberId, 'view', 1);
    const second = await packets.packet(hr, cycleId, org.s1.staffMemberId, 'view', 2);
    expect(whole.comments).toHaveLength(given);
    expect(first.comments).toHaveLength(COMMENT_PAGE_SIZE);
    expect([...first.comments, ...second.comments]).toEqual(whole.comments);
    expect(second.commentPage).toEqual({ page: 2, pageSize: COMMENT_PAGE_SIZE, total: given, pageCount: 2 });
    // Names on a later page as on the first; the figures and themes are the whole packet's on every page.
    expect(second.comments.filter((c) => c.submitterName !== null).length).toBe(whole.comments.slice(COMMENT_PAGE_SIZE).filter((c) => c.submitterName !== null).length);
    for (const page of [first, second]) {
      expect(page.kinds).toEqual(whole.kinds);
      expect(page.themes).toEqual(whole.themes);
      expect(page.dimensions).toEqual(whole.dimensions);
    }
    // A page past the end shows the last one.
    expect((await packets.packet(hr, cycleId, org.s1.staffMemberId, 'view', 9)).comments).toEqual(second.comments);

    const agent = await signedIn(context.app, org.hr);
    const pageOne = await agent.get(`/reviews/${cycleId}/packets/${org.s1.staffMemberId}`).expect(200);
    expect(pageOne.text.match(/data-testid="packet-comment"/g)).toHaveLength(COMMENT_PAGE_SIZE);
    expect(pageOne.text).toContain(`Comments 1 to ${COMMENT_PAGE_SIZE} of ${given}`);
    expect(pageOne.text).toContain('rel="next"');
    const pageTwo = await agent.get(`/reviews/${cycleId}/packets/${org.s1.staffMemberId}?page=2`).expect(200);
    expect(pageTwo.text.match(/data-testid="packet-comment"/g)).toHaveLength(given - COMMENT_PAGE_SIZE);
    expect(pageTwo.text).toContain(`Comments ${COMMENT_PAGE_SIZE + 1} to ${given} of ${given}`);
    expect(pageTwo.text).toContain('rel="prev"');
  });
});
