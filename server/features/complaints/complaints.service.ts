import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { hasAnyRole } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors';
import { DEFAULT_LOCALE } from '../../platform/i18n';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { ServiceLevelsService } from '../service-levels';
import type { ComplaintsRepository } from './complaints.repository';
import { COMPLAINT_CATEGORIES, halfYearBounds, REDIRECTS, type Complaint, type ComplaintInput } from './complaints.schema';

export const COMPLAINTS_SERVICE = 'complaints';

export interface ComplaintsDeps {
  knex: Knex;
  repository: ComplaintsRepository;
  serviceLevels: Pick<ServiceLevelsService, 'dueTimesFor' | 'escalationSteps'>;
  /** E-mail addresses of the complaints officers, to tell them of a new complaint. */
  officerEmails(db: Knex.Transaction): Promise<string[]>;
  /** The complainant's address, for the e-mails about their complaint. */
  complainantEmail(accountId: number, db: Knex.Transaction): Promise<string | undefined>;
  outbox: Outbox;
  emails: EmailComposer;
  audit: AuditLog;
  publicUrl: string;
  now: () => number;
}

export interface RegisterEntry {
  readonly reference: string;
  readonly receivedOn: string;
  readonly resolvedOn: string | null;
  readonly status: Complaint['status'];
  readonly summary: string;
  /** Null when the complainant asked for their name to be withheld. */
  readonly complainant: string | null;
}

export function createComplaintsService(deps: ComplaintsDeps) {
  const { knex, repository, serviceLevels, outbox, emails, audit, publicUrl, now } = deps;
  const day = (at: number | null) => (at === null ? null : new Date(at).toISOString().slice(0, 10));

  async function officeComplaint(actor: Actor, reference: string, trx?: Knex.Transaction): Promise<Complaint> {
    if (!hasAnyRole(actor, ['complaints'])) throw new ForbiddenError();
    const complaint = await repository.findByReference(reference, trx);
    if (!complaint) throw new NotFoundError();
    return complaint;
  }

  async function tellComplainant(complaint: Complaint, email: string, message: string, trx: Knex.Transaction) {
    await outbox.enqueue(trx, emails.compose('complaint-update', email, DEFAULT_LOCALE, { reference: complaint.reference, message, link: `${publicUrl}/complaints/mine/${complaint.reference}` }));
  }

  return {
    /** Files a complaint with its due times from the Complaints Office's published targets. */
    async submit(actor: Actor, input: ComplaintInput): Promise<Complaint> {
      const attempt = () =>
        knex.transaction(async (trx) => {
          const receivedAt = now();
          const due = await serviceLevels.dueTimesFor(COMPLAINTS_SERVICE, receivedAt, trx);
          const complaint = await repository.insert(
            {
              accountId: actor.accountId,
              complainantName: actor.displayName,
              redactName: input.redactName,
              category: input.category,
              summary: input.summary,
              description: input.description,
              receivedAt,
              acknowledgeDueAt: due.acknowledgeDueAt,
              respondDueAt: due.respondDueAt,
              serviceLevelTargetId: due.serviceLevelTargetId,
            },
            trx,
          );
          await repository.insertEvent(complaint.id, { type: 'received', actorAccountId: null }, trx);
          await outbox.enqueue(trx, emails.compose('complaint-received', actor.email, actor.locale, { reference: complaint.reference, link: `${publicUrl}/complaints/mine/${complaint.reference}` }));
          for (const officer of await deps.officerEmails(trx)) {
            await outbox.enqueue(trx, emails.compose('complaint-new', officer, DEFAULT_LOCALE, { reference: complaint.reference, link: `${publicUrl}/complaints/office/${complaint.reference}` }));
          }
          return complaint;
        });
      try {
        return await attempt();
      } catch (err) {
        // Two complaints numbered at the same moment: the second takes the next number.
        if (!isUniqueViolation(err)) throw err;
        return attempt();
      }
    },

    mine: (actor: Actor) => repository.listByAccount(actor.accountId),

    async mineView(actor: Actor, reference: string) {
      const complaint = await repository.findByReference(reference);
      if (!complaint || complaint.accountId !== actor.accountId) throw new NotFoundError();
      return { complaint, events: await repository.listEvents(complaint.id) };
    },

    async officeList(actor: Actor) {
      if (!hasAnyRole(actor, ['complaints'])) throw new ForbiddenError();
      return repository.list({});
    },

    async officeView(actor: Actor, reference: string) {
      const complaint = await officeComplaint(actor, reference);
      return { complaint, events: await repository.listEvents(complaint.id) };
    },

    async acknowledge(actor: Actor, reference: string): Promise<void> {
      await knex.transaction(async (trx) => {
        const complaint = await officeComplaint(actor, reference, trx);
        if (complaint.status !== 'received') return;
        await repository.update(complaint.id, { status: 'acknowledged', acknowledgedAt: now() }, trx);
        await repository.insertEvent(complaint.id, { type: 'acknowledged', actorAccountId: actor.accountId }, trx);
        const email = await deps.complainantEmail(complaint.accountId, trx);
        if (email) await tellComplainant(complaint, email, 'acknowledged', trx);
      });
    },

    /** In scope (with a statement of understanding), or sent where it belongs, always with a reason. */
    async triage(actor: Actor, reference: string, decision: 'in_scope' | (typeof REDIRECTS)[number], reason: string): Promise<void> {
      await knex.transaction(async (trx) => {
        const complaint = await officeComplaint(actor, reference, trx);
        if (complaint.status === 'resolved' || complaint.status === 'redirected') throw new ConflictError('complaints.errors.closed');
        const t = now();
        const common = { respondedAt: complaint.respondedAt ?? t, ...(complaint.acknowledgedAt ? {} : { acknowledgedAt: t }) };
        if (decision === 'in_scope') {
          await repository.update(complaint.id, { status: 'in_scope', ...common }, trx);
        } else {
          await repository.update(complaint.id, { status: 'redirected', redirectedTo: decision, resolvedAt: t, ...common }, trx);
        }
        await repository.insertEvent(complaint.id, { type: decision === 'in_scope' ? 'in_scope' : `redirected_${decision}`, actorAccountId: actor.accountId, body: reason }, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'complaints.triage', subjectType: 'complaint', subjectId: complaint.id, detail: { decision } }, trx);
        const email = await deps.complainantEmail(complaint.accountId, trx);
        if (email) await tellComplainant(complaint, email, decision === 'in_scope' ? 'in_scope' : `redirected_${decision}`, trx);
      });
    },

    async resolve(actor: Actor, reference: string, resolution: string): Promise<void> {
      await knex.transaction(async (trx) => {
        const complaint = await officeComplaint(actor, reference, trx);
        if (complaint.status !== 'in_scope') throw new ConflictError('complaints.errors.triageFirst');
        await repository.update(complaint.id, { status: 'resolved', resolution, resolvedAt: now() }, trx);
        await repository.insertEvent(complaint.id, { type: 'resolved', actorAccountId: actor.accountId, body: resolution }, trx);
        const email = await deps.complainantEmail(complaint.accountId, trx);
        if (email) await tellComplainant(complaint, email, 'resolved', trx);
      });
    },

    /**
     * The Complaints Office's ladder: every step whose moment has passed for a complaint still
     * waiting for that stage is taken once (the step's row is the guard against a second sweep or a
     * second process) and tells the complaints officers. Returns how many steps were taken.
     */
    async sweepOverdue(): Promise<number> {
      const t = now();
      const steps = await serviceLevels.escalationSteps(COMPLAINTS_SERVICE);
      const waiting = (await repository.list({})).filter((c) => c.status === 'received' || c.status === 'acknowledged');
      let taken = 0;
      for (const complaint of waiting) {
        for (const step of steps) {
          const due = step.due === 'acknowledge' ? (complaint.acknowledgedAt === null ? complaint.acknowledgeDueAt : null) : complaint.respondedAt === null ? complaint.respondDueAt : null;
          if (due === null || due + step.offsetMinutes * 60_000 > t) continue;
          await knex.transaction(async (trx) => {
            try {
              await trx('complaint_escalations').insert({ complaint_id: complaint.id, escalation_step_id: step.id, taken_at: t });
            } catch (err) {
              if (isUniqueViolation(err)) return;
              throw err;
            }
            taken++;
            const overdue = step.offsetMinutes >= 0;
            for (const officer of await deps.officerEmails(trx)) {
              await outbox.enqueue(
                trx,
                emails.compose('complaint-due', officer, DEFAULT_LOCALE, {
                  reference: complaint.reference,
                  stage: step.due,
                  overdue,
                  due: new Date(due).toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
                  link: `${publicUrl}/complaints/office/${complaint.reference}`,
                }),
              );
            }
          });
        }
      }
      return taken;
    },

    /**
     * Approves a complaint for the public register (audited, once): until then the register does
     * not show it, so nothing anyone files reaches the public unread.
     */
    async publish(actor: Actor, reference: string): Promise<void> {
      await knex.transaction(async (trx) => {
        const complaint = await officeComplaint(actor, reference, trx);
        if (!(await repository.publish(complaint.id, actor.accountId, trx))) return;
        await repository.insertEvent(complaint.id, { type: 'published', actorAccountId: actor.accountId }, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'complaints.publish', subjectType: 'complaint', subjectId: complaint.id, detail: { reference } }, trx);
      });
    },

    /** The public register, approved complaints only: no description, no e-mail, and no name where it was withheld. */
    async register(): Promise<RegisterEntry[]> {
      return (await repository.list({ published: true })).map((c) => ({
        reference: c.reference,
        receivedOn: day(c.receivedAt)!,
        resolvedOn: day(c.resolvedAt),
        status: c.status,
        summary: c.summary,
        complainant: c.redactName ? null : c.complainantName,
      }));
    },

    /** The semi-annual report: counts, categories (most frequent first), redirections and time to resolution. */
    async report(period: string) {
      const { from, to } = halfYearBounds(period);
      const complaints = await repository.list({ from, to });
      const resolvedDays = complaints.filter((c) => c.resolvedAt !== null).map((c) => (c.resolvedAt! - c.receivedAt) / 86_400_000);
      const sorted = [...resolvedDays].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      const medianDays = sorted.length === 0 ? null : sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
      return {
        period,
        received: complaints.length,
        resolved: complaints.filter((c) => c.status === 'resolved').length,
        redirected: Object.fromEntries(REDIRECTS.map((r) => [r, complaints.filter((c) => c.redirectedTo === r).length])),
        open: complaints.filter((c) => c.status !== 'resolved' && c.status !== 'redirected').length,
        categories: COMPLAINT_CATEGORIES.map((category) => ({ category, count: complaints.filter((c) => c.category === category).length }))
          .filter((c) => c.count > 0)
          .sort((a, b) => b.count - a.count),
        medianDaysToResolution: medianDays === null ? null : Math.round(medianDays * 10) / 10,
      };
    },
  };
}

export type ComplaintsService = ReturnType<typeof createComplaintsService>;
