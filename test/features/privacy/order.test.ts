import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { reviewCycle } from '../../helpers/reviews';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

describe('time privacy: lists carry no order within a day', () => {
  const clock = manualClock(Date.parse('2026-12-02T16:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  const inOrder = (text: string, pattern: RegExp) => [...new Set(text.match(pattern) ?? [])];

  it('when unattributed items of one day are listed, then they come by random id, not by when they were sent: inbox, JSON, oversight and packet alike', async () => {
    const org = await feedbackOrganisation(knex());
    await reviewCycle(knex(), '2026-H2');
    const cycle = await knex()('review_cycles').where({ code: '2026-H2' }).first('id');
    const member = await signedIn(context.app, org.member);
    // Sent a few minutes apart, until the random order differs from the order of sending (else
    // a list sorted by time would pass too).
    const sent: Array<{ reference: string; publicId: string }> = [];
    const byId = (key: 'reference' | 'publicId') => sent.map((s) => s[key]).sort();
    while (sent.length < 3 || byId('reference').join() === [...sent].reverse().map((s) => s.reference).join() || byId('publicId').join() === [...sent].reverse().map((s) => s.publicId).join()) {
      clock.advance(7 * 60_000);
      const reference = referenceFrom((await submitFeedback(member, org.staff.staffMemberId, { attribution: 'confidential', comment: `Item ${sent.length}.` })).res.text);
      const routed = await knex()('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('f.reference', reference).first('r.public_id');
      sent.push({ reference, publicId: String(routed.public_id) });
    }
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);

    const manager = await signedIn(context.app, org.manager);
    expect((await manager.get('/inbox.json').expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual(byId('publicId'));
    expect(inOrder((await manager.get('/inbox').expect(200)).text, /\/inbox\/[0-9A-Z]{12}/g)).toEqual(byId('publicId').map((id) => `/inbox/${id}`));
    const hr = await signedIn(context.app, org.hr);
    expect(inOrder((await hr.get('/feedback/items').expect(200)).text, /F-\d{4}-[0-9A-Z]{8}/g)).toEqual(byId('reference'));
    const packet = (await manager.get(`/reviews/${cycle.id}/packets/${org.staff.staffMemberId}`).expect(200)).text;
    expect(inOrder(packet, /F-\d{4}-[0-9A-Z]{8}/g)).toEqual(byId('reference'));
  });
});
