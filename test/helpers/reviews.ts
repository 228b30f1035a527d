import type { Knex } from 'knex';
import { newSubmissionKey } from '../../server/features/feedback/receipt-codes';
import type { Actor } from '../../server/platform/auth/roles';
import { factories } from '../factories';
import type { TestApp } from './app';

/** A review cycle for a half-year code: 2026-H1 runs January to June. */
export async function reviewCycle(knex: Knex, code: string, fields: Partial<{ status: string; staffSeeUnreviewed: boolean }> = {}): Promise<number> {
  const [year, half] = code.split('-H');
  const [startsOn, endsOn] = half === '1' ? [`${year}-01-01`, `${year}-06-30`] : [`${year}-07-01`, `${year}-12-31`];
  const [id] = await knex('review_cycles').insert({
    code,
    starts_on: startsOn,
    ends_on: endsOn,
    review_opens_on: endsOn,
    review_closes_on: endsOn,
    status: fields.status ?? 'open',
    staff_see_unreviewed: fields.staffSeeUnreviewed ?? false,
    guidance: 'Ask a balanced set of community members.',
    created_at: Date.now(),
    updated_at: Date.now(),
  });
  return Number(id);
}

/** Ratings per dimension code, for one feedback item. */
export type Ratings = Record<string, number>;

/**
 * Gives feedback through the feedback service at the app clock's current time (anonymous unless a
 * member actor is given); returns the item's id.
 */
export async function giveFeedback(app: TestApp, knex: Knex, staffMemberId: number, fields: { kind?: 'appreciation' | 'suggestion' | 'concern'; comment?: string; ratings?: Ratings; member?: Actor; attribution?: 'named' | 'confidential' | 'anonymous' }): Promise<number> {
  const dimensions = new Map((await knex('behaviour_dimensions').select('id', 'code')).map((d) => [String(d.code), String(d.id)]));
  const outcome = await app.services.feedback.submit(fields.member, {
    staffMemberId,
    kind: fields.kind ?? 'suggestion',
    attribution: fields.attribution ?? (fields.member ? 'named' : 'anonymous'),
    comment: fields.comment ?? 'Feedback for the review.',
    context: '',
    escalate: false,
    ratings: Object.fromEntries(Object.entries(fields.ratings ?? {}).map(([code, score]) => [dimensions.get(code)!, score])),
    submissionKey: newSubmissionKey(),
  });
  const [row] = await knex('feedback_items').select('id').where({ reference: outcome.reference });
  return Number(row.id);
}

/**
 * Three departments under one executive: Policy (manager M1, staff S1 and S2), Engagement (M2, S3
 * and S4) and Legal (M2, S5). Everyone below the executive is community-facing.
 */
export async function reviewOrganisation(knex: Knex) {
  const make = factories(knex);
  const policy = await make.department('Policy');
  const engagement = await make.department('Engagement');
  const legal = await make.department('Legal');
  const executive = await make.staffAccount({ isExecutive: true });
  const m1 = await make.staffAccount({ managerId: executive.staffMemberId, departmentId: policy.id });
  const m2 = await make.staffAccount({ managerId: executive.staffMemberId, departmentId: engagement.id });
  const staff = (name: string, managerId: number, departmentId: number) => make.staffAccount({ name, managerId, departmentId });
  const s1 = await staff('Sam One', m1.staffMemberId, policy.id);
  const s2 = await staff('Sue Two', m1.staffMemberId, policy.id);
  const s3 = await staff('Sid Three', m2.staffMemberId, engagement.id);
  const s4 = await staff('Sal Four', m2.staffMemberId, engagement.id);
  const s5 = await staff('Sol Five', m2.staffMemberId, legal.id);
  const hr = await make.account({ roles: ['hr'] });
  const member = await make.account({ roles: ['member'], displayName: 'Named Member' });
  return { departments: { policy, engagement, legal }, executive, m1, m2, s1, s2, s3, s4, s5, hr, member };
}
