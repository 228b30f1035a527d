import type { Knex } from 'knex';
import type { AppInstance } from '../app';
import { newSubmissionKey } from '../features/feedback/receipt-codes';

/**
 * A few feedback items so the demo's inboxes are not empty: named, confidential, anonymous and
 * escalated, one of them already acknowledged and answered. Runs once, through the real services.
 */
export async function seedDemoFeedback(knex: Knex, services: AppInstance['services']): Promise<'created' | 'already-present'> {
  if (await knex('feedback_items').first()) return 'already-present';
  const accountId = async (email: string) => Number((await knex('accounts').where({ email }).first()).id);
  const staffId = async (email: string) => Number((await knex('staff_members').where({ email }).first()).id);
  const member = await services.accounts.findActor(await accountId('member@demo.example'));
  const manager = await services.accounts.findActor(await accountId('manager@demo.example'));
  if (!member || !manager) return 'already-present';

  const dimension = async (code: string) => String((await knex('behaviour_dimensions').where({ code }).first()).id);
  const submit = async (about: string, fields: { kind: 'appreciation' | 'suggestion' | 'concern'; attribution: 'named' | 'confidential' | 'anonymous'; comment: string; context?: string; escalate?: boolean; ratings?: Array<[code: string, score: number]> }) =>
    services.feedback.submit(fields.attribution === 'anonymous' ? undefined : member, {
      staffMemberId: await staffId(about),
      kind: fields.kind,
      attribution: fields.attribution,
      comment: fields.comment,
      context: fields.context ?? '',
      escalate: fields.escalate ?? false,
      ratings: Object.fromEntries(await Promise.all((fields.ratings ?? []).map(async ([code, score]) => [await dimension(code), score]))),
      submissionKey: newSubmissionKey(),
    });

  const named = await submit('staff@demo.example', {
    kind: 'appreciation',
    attribution: 'named',
    comment: 'Samuel kept the working group on track through a difficult consensus call and summarised every position fairly.',
    context: 'EPDP on Internationalized Domain Names',
    ratings: [
      ['listening', 5],
      ['consensus', 5],
      ['transparency', 4],
    ],
  });
  await submit('policy.analyst1@demo.example', {
    kind: 'suggestion',
    attribution: 'confidential',
    comment: 'Draft reports reach the group too close to the call; two more days to read them would help members whose first language is not English.',
    context: 'Transfer Policy Review',
  });
  await submit('staff@demo.example', {
    kind: 'concern',
    attribution: 'anonymous',
    comment: 'Calls are always scheduled at times that exclude Asia-Pacific participants.',
  });
  await submit('staff@demo.example', {
    kind: 'concern',
    attribution: 'named',
    comment: 'Requests for the meeting transcripts have gone unanswered for three weeks; I am asking for this to go higher.',
    escalate: true,
  });

  // Demo data only: show the unattributed items at once rather than after their random delay.
  await knex('routed_items').update({ visible_at: knex.ref('received_at') });
  const routed = await knex('routed_items').where({ feedback_item_id: named.feedbackItemId }).first();
  await services.inbox.acknowledge(manager, Number(routed.id));
  await services.inbox.reply(manager, Number(routed.id), 'Thank you for taking the time to write this; I have shared it with Samuel and the team.', false);
  return 'created';
}
