import type { Knex } from 'knex';
import { newSubmissionKey } from '../../server/features/feedback/receipt-codes';
import type { Actor } from '../../server/platform/auth/roles';
import { createCyclesRepository } from '../../server/features/reviews/cycles.repository';
import { periodOfCode } from '../../server/features/reviews/cycles.schema';
import { factories } from '../factories';
import { csrfTokenFrom, postForm, type Agent, type TestApp } from './app';

/** A review cycle for a half-year code (2026-H1 runs January to June), made through the cycles repository. */
export async function reviewCycle(knex: Knex, code: string, fields: Partial<{ status: 'planned' | 'open' | 'closed'; staffSeeUnreviewed: boolean }> = {}): Promise<number> {
  const cycles = createCyclesRepository(knex, () => Date.now());
  const period = periodOfCode(code)!;
  const id = await cycles.insertCycle({ code, ...period, reviewOpensOn: period.endsOn, reviewClosesOn: period.endsOn, staffSeeUnreviewed: fields.staffSeeUnreviewed ?? false, guidance: 'Ask a balanced set of community members.' }, knex);
  const status = fields.status ?? 'open';
  if (status !== 'planned') await cycles.setStatus(id, 'planned', 'open', knex);
  if (status === 'closed') await cycles.setStatus(id, 'open', 'closed', knex);
  return id;
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

/** Creates a review cycle through HR's form (period from the code, a January review window); returns its id. */
export async function createCycle(hr: Agent, fields: Record<string, string> = {}): Promise<number> {
  const res = await postForm(hr, '/reviews/cycles/new', '/reviews/cycles', {
    code: '2026-H2',
    startsOn: '',
    endsOn: '',
    reviewOpensOn: '2027-01-01',
    reviewClosesOn: '2027-01-31',
    guidance: 'Ask a balanced set of community members.',
    ...fields,
  });
  if (res.status !== 303) throw new Error(`creating the cycle failed with ${res.status}: ${res.text.match(/class="error"[^>]*>([^<]+)/g)?.join(' ')}`);
  return Number(res.headers.location!.split('/').pop());
}

export async function openCycle(hr: Agent, cycleId: number): Promise<void> {
  const res = await postForm(hr, `/reviews/cycles/${cycleId}`, `/reviews/cycles/${cycleId}/open`, {});
  if (res.status !== 303) throw new Error(`opening the cycle failed with ${res.status}`);
}

export const solicitPath = (cycleId: number, staffMemberId: number) => `/reviews/cycles/${cycleId}/staff/${staffMemberId}/solicit`;

/** Opens a request link (a path) and sends the feedback form it shows; returns the response and a resend. */
export async function answerRequest(agent: Agent, linkPath: string, fields: Record<string, string>) {
  const form = await agent.get(linkPath);
  if (form.status !== 200) throw new Error(`the request link answered ${form.status}`);
  const value = (name: string) => {
    const found = form.text.match(new RegExp(`name="${name}" value="([^"]+)"`))?.[1];
    // Without it the answer would go in as ordinary feedback, and the test would prove nothing.
    if (found === undefined) throw new Error(`the request form has no ${name} field`);
    return found;
  };
  const body = { _csrf: csrfTokenFrom(form.text), staffMemberId: value('staffMemberId'), submissionKey: value('submissionKey'), solicitation: value('solicitation'), kind: 'suggestion', comment: 'A comment.', ...fields };
  const send = (extra: Record<string, string> = {}) => agent.post('/feedback').type('form').send({ ...body, ...extra });
  return { form, res: await send(), send };
}
