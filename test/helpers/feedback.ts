import type { Knex } from 'knex';
import { csrfTokenFrom, type Agent } from './app';
import { factories } from '../factories';

/** Opens the feedback form for a staff member and sends it; returns the response and the form's key. */
export async function submitFeedback(agent: Agent, staffMemberId: number, fields: Record<string, string>) {
  const form = await agent.get(`/feedback/new?staff=${staffMemberId}`);
  if (form.status !== 200) throw new Error(`feedback form answered ${form.status}`);
  const submissionKey = form.text.match(/name="submissionKey" value="([^"]+)"/)![1]!;
  const send = () => agent.post('/feedback').type('form').send({ _csrf: csrfTokenFrom(form.text), staffMemberId: String(staffMemberId), submissionKey, kind: 'suggestion', attribution: 'named', comment: 'A comment.', ...fields });
  const res = await send();
  return { res, submissionKey, resend: send };
}

export function receiptCodeFrom(html: string): string {
  const match = html.match(/data-testid="receipt-code">([^<]+)</);
  if (!match) throw new Error('no receipt code on the page');
  return match[1]!.trim();
}

/** The stored id of the item with this reference. */
export async function feedbackItemIdOf(knex: Knex, reference: string): Promise<number> {
  const row = await knex('feedback_items').select('id').where({ reference }).first();
  if (!row) throw new Error(`no feedback item ${reference}`);
  return Number(row.id);
}

/** The reference of a stored item: what URLs and forms name it by. */
export async function referenceOf(knex: Knex, feedbackItemId: number): Promise<string> {
  const row = await knex('feedback_items').select('reference').where({ id: feedbackItemId }).first();
  if (!row) throw new Error(`no feedback item ${feedbackItemId}`);
  return String(row.reference);
}

export function referenceFrom(html: string): string {
  const match = html.match(/F-\d{4}-[0-9A-Z]{8}/);
  if (!match) throw new Error('no reference on the page');
  return match[0];
}

/**
 * An organisation for feedback tests: an executive at the head, a people manager under them with a
 * community-facing report, a second manager with a report of their own, a complaints officer, HR,
 * an admin and a community member. Everyone has an account.
 */
export async function feedbackOrganisation(knex: Knex, member: { email?: string; displayName?: string } = {}) {
  const f = factories(knex);
  const executive = await f.staffAccount({ isExecutive: true });
  const manager = await f.staffAccount({ managerId: executive.staffMemberId });
  const staff = await f.staffAccount({ managerId: manager.staffMemberId });
  const otherManager = await f.staffAccount({ managerId: executive.staffMemberId });
  const otherStaff = await f.staffAccount({ managerId: otherManager.staffMemberId });
  const complaints = await f.staffAccount({ managerId: executive.staffMemberId, roles: ['complaints'] });
  const hr = await f.account({ roles: ['hr'] });
  const admin = await f.account({ roles: ['admin'] });
  const communityMember = await f.account({ roles: ['member'], ...member });
  return { executive, manager, staff, otherManager, otherStaff, complaints, hr, admin, member: communityMember };
}
