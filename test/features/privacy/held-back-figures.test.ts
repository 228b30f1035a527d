import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

describe('time privacy: figures and held-back input', () => {
  const clock = manualClock(Date.parse('2026-12-31T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when a period ends while an item of its last minutes is held back, then its figures wait until that item shows, and then count it', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H2');
    // Five items earlier on the period's last day, enough for figures, and one in its last minutes.
    for (let i = 0; i < 5; i++) await giveFeedback(context.app, knex(), org.s1.staffMemberId, { kind: 'appreciation', comment: `Earlier ${i}.` });
    clock.advance(Date.parse('2026-12-31T23:50:00Z') - clock.now());
    await giveFeedback(context.app, knex(), org.s1.staffMemberId, { kind: 'concern', comment: 'Sent in the last minutes.' });
    const manager = await signedIn(context.app, org.m1);
    const packet = async () => (await manager.get(`/reviews/${cycleId}/packets/${org.s1.staffMemberId}`).expect(200)).text;

    // Before the shortest hold-back (15 minutes after 23:50) has passed, whatever delay was drawn.
    clock.advance(Date.parse('2027-01-01T00:04:00Z') - clock.now());
    const early = await packet();
    expect(early).not.toContain('data-figure="total"');
    expect(early).not.toContain('Sent in the last minutes.');

    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000);
    const later = await packet();
    expect(later).toContain('data-figure="total">6<');
    expect(later).toContain('Sent in the last minutes.');
  });
});
