import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { DEFAULT_LOCALE } from '../../platform/i18n';
import type { Dialect } from '../../platform/db';
import { claimRows } from '../../platform/db/claims';
import { isUniqueViolation } from '../../platform/db/errors';
import { inputTimes } from '../../platform/privacy/times';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { FEEDBACK_SERVICE, type EscalationStep } from '../service-levels';
import type { InboxDirectory } from './inbox.service';
import type { RoutedItemsRepository } from './routed-items.repository';
import type { RoutingDirectory } from './routing.service';
import { transactionWithRetry } from '../../platform/db/retry';
import type { FeedbackSource, RoutedItem } from './routing.schema';

export interface EscalationDeps {
  knex: Knex;
  dialect: Dialect;
  items: RoutedItemsRepository;
  source: FeedbackSource;
  directory: RoutingDirectory & InboxDirectory;
  escalationSteps(serviceCode: string): Promise<EscalationStep[]>;
  outbox: Outbox;
  emails: EmailComposer;
  publicUrl: string;
  now: () => number;
}

const LOOK_AHEAD_MS = 24 * 3_600_000;

/**
 * The escalation ladder (WS2 7.2.2): warns a recipient before a due time and moves an overdue item
 * up the management chain, step by step as the service's ladder says. Safe to run in several
 * processes at once and to run twice: items are claimed (SKIP LOCKED on MySQL), and every step
 * taken is a row with a unique key written in the same transaction as its e-mail.
 */
export function createEscalationService(deps: EscalationDeps) {
  const { knex, dialect, items, source, directory, outbox, emails, publicUrl, now } = deps;

  function momentOf(step: EscalationStep, item: RoutedItem): number | null {
    const due = step.due === 'acknowledge' ? item.acknowledgeDueAt : (item.committedRespondAt ?? item.respondDueAt);
    return due === null ? null : due + step.offsetMinutes * 60_000;
  }

  function stillApplies(step: EscalationStep, item: RoutedItem): boolean {
    if (item.status === 'closed') return false;
    return step.due === 'acknowledge' ? item.acknowledgedAt === null : item.respondedAt === null;
  }

  async function targetOf(step: EscalationStep, item: RoutedItem, trx: Knex.Transaction): Promise<number | undefined> {
    if (step.target === 'recipient') return item.recipientStaffMemberId;
    if (step.target === 'complaints_officer') return (await directory.complaintsOfficers(trx))[0];
    const facts = await directory.routingFacts(item.recipientStaffMemberId, trx);
    if (!facts) return undefined;
    if (step.target === 'recipient_manager') return facts.chain[0]?.id;
    // The nearest executive above the recipient (or the recipient, if they are one), else the head of the chain.
    const chain = [facts.member, ...facts.chain];
    return (chain.find((m) => m.isExecutive) ?? chain[chain.length - 1])?.id;
  }

  /** Takes one step for one item; false when it was taken before (by this or another process). */
  async function take(step: EscalationStep, item: RoutedItem, trx: Knex.Transaction): Promise<boolean> {
    try {
      await trx('routed_item_escalations').insert({ routed_item_id: item.id, escalation_step_id: step.id, taken_at: now() });
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
    const content = (await source.contentFor([item.feedbackItemId], trx)).get(item.feedbackItemId);
    const targetId = await targetOf(step, item, trx);
    if (!content || targetId === undefined || targetId === content.staffMemberId) return true;
    const target = await directory.findStaff(targetId, trx);
    if (!target) return true;
    const due = momentOf({ ...step, offsetMinutes: 0 }, item)!;
    const values = { reference: content.reference, staffName: content.staffName, due: inputTimes(content.attribution, { mayUnseal: false }).due(due), dueKind: step.due, link: `${publicUrl}/inbox/${item.publicId}` };
    if (step.target === 'recipient') {
      await outbox.enqueue(trx, emails.compose('escalation-warning', target.email, DEFAULT_LOCALE, values));
      return true;
    }
    if (targetId === item.recipientStaffMemberId) return true;
    await items.update(item.id, { recipientStaffMemberId: targetId }, trx);
    await items.insertEvent(item.id, { type: 'escalated', actor: 'system', fromStaffMemberId: item.recipientStaffMemberId, toStaffMemberId: targetId }, trx);
    await outbox.enqueue(trx, emails.compose('escalation-moved', target.email, DEFAULT_LOCALE, values));
    return true;
  }

  return {
    /** One sweep: returns how many steps were taken. */
    async runOnce(batchSize = 50): Promise<number> {
      const t = now();
      const claimToken = randomUUID();
      await claimRows(knex, dialect, {
        table: 'routed_items',
        due: (q) =>
          q
            .whereNot('status', 'closed')
            .andWhere((w) =>
              w
                .where((a) => a.whereNull('acknowledged_at').andWhere('acknowledge_due_at', '<=', t + LOOK_AHEAD_MS))
                .orWhere((r) => r.whereNull('responded_at').andWhere('respond_due_at', '<=', t + LOOK_AHEAD_MS)),
            ),
        order: [{ column: 'escalation_swept_at', order: 'asc' }],
        limit: batchSize,
        claimToken,
        now: t,
        leaseMs: 5 * 60_000,
      });
      const claimed = await knex('routed_items').select('id').where({ claim_token: claimToken });
      const steps = await deps.escalationSteps(FEEDBACK_SERVICE);
      let taken = 0;
      for (const { id } of claimed) {
        await transactionWithRetry(knex, async (trx) => {
          let item = await items.findForChange(Number(id), trx);
          for (const step of steps) {
            if (!item) break;
            const moment = momentOf(step, item);
            if (moment === null || moment > t || !stillApplies(step, item)) continue;
            if (await take(step, item, trx)) {
              taken++;
              item = await items.findForChange(item.id, trx);
            }
          }
          await trx('routed_items').where({ id, claim_token: claimToken }).update({ claim_token: null, claimed_until: null, escalation_swept_at: t });
        });
      }
      return taken;
    },
  };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
