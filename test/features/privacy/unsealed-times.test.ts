import { manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

describe('time privacy: readers with unseal rights', () => {
  // A Wednesday, 13:47 in Los Angeles.
  const clock = manualClock(Date.parse('2026-12-02T21:47:23.456Z'));
  const context = useTestApp({ clock });

  it('when HR has unsealed a confidential submitter, then HR sees the item\'s exact time; before that, and for the recipient, the day only', async () => {
    const org = await feedbackOrganisation(context.database.db.knex);
    const member = await signedIn(context.app, org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { attribution: 'confidential', comment: 'Sealed, then unsealed.' });
    const reference = referenceFrom(res.text);
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const routed = await context.database.db.knex('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('f.reference', reference).first('r.public_id');
    const hr = await signedIn(context.app, org.hr);
    const manager = await signedIn(context.app, org.manager);
    const received = async (agent: typeof hr) => (await agent.get(`/inbox/${routed.public_id}.json`).expect(200)).body.received;

    expect(await received(hr)).toBe('2026-12-02');
    const reveal = await postForm(hr, `/feedback/items/${reference}/reveal`, `/feedback/items/${reference}/reveal`, { reason: 'Formal investigation of a complaint' });
    expect(reveal.status).toBe(200);
    expect(await received(hr)).toBe('2026-12-02 21:47 UTC');
    expect(await received(manager)).toBe('2026-12-02');
    // The complaints officer, who has not unsealed it, still sees the day only.
    expect(await received(await signedIn(context.app, org.complaints))).toBe('2026-12-02');
  });
});
