import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { AuditLog } from '../../platform/audit';
import { hasAnyRole, type Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { DEFAULT_LOCALE } from '../../platform/i18n';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { hashInvitationToken, isInvitationToken, newInvitationToken, type TokenSeal } from '../surveys';
import type { ReviewCycle } from './cycles.schema';
import type { SolicitationRepository } from './solicitation.repository';
import {
  DEFAULT_DEADLINE_DAYS,
  REMINDER_DAYS_BEFORE,
  type RequestLinkState,
  type SolicitationInput,
  type SolicitationRequest,
  type Suggestion,
} from './solicitation.schema';

type Db = Knex | Knex.Transaction;

const DAY_MS = 86_400_000;
/** Reminders and erasures are handled a few hundred at a time, so one sweep never holds a long transaction. */
const BATCH = 500;

/** What solicited input needs from the directory: the staff member and the chain above them. */
export interface SolicitationDirectory {
  routingFacts(staffMemberId: number, db?: Db): Promise<{ member: { id: number; name: string; communityFacing: boolean }; chain: Array<{ id: number }> } | undefined>;
}

/** Whom to suggest: members of the groups a staff member supports, and those who gave them named feedback. */
export interface SuggestionSources {
  groupMembers(staffMemberId: number): Promise<Array<{ email: string; displayName: string; groupName: string }>>;
  /**
   * Named submitters about a staff member, among the items `recipient` received (all when null).
   * Named items only: confidential and anonymous submitters are never suggested.
   */
  namedSubmitters(staffMemberId: number, recipient: number | null): Promise<Array<{ email: string; displayName: string }>>;
}

/** A request as its page lists it: a suggested person's address never, since the reader was never given it. */
export type AskedView = SolicitationRequest & { readonly fromSuggestion: boolean };

/** A suggestion with its address, inside this service only. */
type SuggestedPerson = Omit<Suggestion, 'handle'> & { readonly email: string };

export interface SolicitationDeps {
  knex: Knex;
  repository: SolicitationRepository;
  cycles: { findCycle(id: number, db?: Db): Promise<ReviewCycle | undefined> };
  directory: SolicitationDirectory;
  suggestions: SuggestionSources;
  seal: TokenSeal;
  /** Keys the suggestion handles (see handleOf). */
  handleKey: string;
  outbox: Outbox;
  emails: EmailComposer;
  audit: AuditLog;
  publicUrl: string;
  now: () => number;
}

const dayOf = (at: number) => DateTime.fromMillis(at, { zone: 'utc' }).toISODate()!;
const startOfDay = (isoDate: string) => DateTime.fromISO(isoDate, { zone: 'utc' }).toMillis();
/** The last day a deadline includes (a deadline is the end of its day, UTC). */
export const deadlineDay = (deadlineAt: number) => dayOf(deadlineAt - 1);

export function createSolicitationService(deps: SolicitationDeps) {
  const { knex, repository, cycles, directory, suggestions, seal, outbox, emails, audit, publicUrl, now } = deps;
  const link = (token: string) => `${publicUrl}/feedback/requested/${token}`;

  /**
   * The actor may ask about this staff member only from above them in the management chain, or as
   * HR (never about themselves); to anyone else the page does not exist. Only community-facing
   * staff, and only while the cycle is open.
   */
  async function authorise(actor: Actor, cycleId: number, staffMemberId: number): Promise<{ cycle: ReviewCycle; staff: { id: number; name: string } }> {
    const facts = await directory.routingFacts(staffMemberId);
    if (!facts || actor.staffMemberId === staffMemberId) throw new NotFoundError();
    const above = actor.staffMemberId !== null && facts.chain.some((m) => m.id === actor.staffMemberId);
    if (!above && !hasAnyRole(actor, ['hr'])) throw new NotFoundError();
    if (!facts.member.communityFacing) throw new NotFoundError();
    const cycle = await cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundError();
    if (cycle.status !== 'open') throw new ConflictError('reviews.solicit.cycleNotOpen');
    return { cycle, staff: { id: facts.member.id, name: facts.member.name } };
  }

  // A manager learns of named submitters only through items that reached them.
  const recipientScope = (actor: Actor) => (hasAnyRole(actor, ['hr']) ? null : actor.staffMemberId);

  /** The default deadline: two weeks away, or the end of the review window if that comes first. */
  function defaultDeadline(cycle: ReviewCycle): string {
    const twoWeeks = dayOf(now() + DEFAULT_DEADLINE_DAYS * DAY_MS);
    return twoWeeks < cycle.reviewClosesOn ? twoWeeks : cycle.reviewClosesOn;
  }

  /**
   * A suggestion's handle: unordered and unforgeable, and different for each reader and staff
   * member, so handles cannot be compared across pages to follow one person.
   */
  const handleOf = (actor: Actor, staffMemberId: number, email: string) =>
    createHmac('sha256', deps.handleKey).update(`solicitation-suggestion\0${actor.accountId}\0${staffMemberId}\0${email}`).digest('base64url').slice(0, 22);

  /** `recipient`: whose received items may suggest named submitters (null for HR, who sees them all). */
  async function suggestionsFor(staffMemberId: number, recipient: number | null): Promise<SuggestedPerson[]> {
    const byEmail = new Map<string, { email: string; displayName: string; groups: string[]; gaveNamedFeedback: boolean }>();
    const entry = (email: string, displayName: string) => {
      const key = email.toLowerCase();
      let found = byEmail.get(key);
      if (!found) byEmail.set(key, (found = { email: key, displayName, groups: [], gaveNamedFeedback: false }));
      if (!found.displayName) found.displayName = displayName;
      return found;
    };
    for (const m of await suggestions.groupMembers(staffMemberId)) {
      const found = entry(m.email, m.displayName);
      if (!found.groups.includes(m.groupName)) found.groups.push(m.groupName);
    }
    for (const s of await suggestions.namedSubmitters(staffMemberId, recipient)) entry(s.email, s.displayName).gaveNamedFeedback = true;
    return [...byEmail.values()].sort((a, b) => (a.displayName || a.email).localeCompare(b.displayName || b.email));
  }

  async function findLink(token: string): Promise<{ tokenHash: string; cycleId: number; staffMemberId: number; deadlineAt: number; state: RequestLinkState } | undefined> {
    if (!isInvitationToken(token)) return undefined;
    const tokenHash = hashInvitationToken(token);
    const request = await repository.findByTokenHash(tokenHash);
    if (!request) return undefined;
    const state: RequestLinkState = request.hasAnswered ? 'answered' : now() >= request.deadlineAt ? 'expired' : 'open';
    return { tokenHash, cycleId: request.cycleId, staffMemberId: request.staffMemberId, deadlineAt: request.deadlineAt, state };
  }

  async function sendDueReminders(): Promise<number> {
    let sent = 0;
    // Each request records its reminder in the transaction that queues it, so a rerun never sends one twice.
    for (;;) {
      const batch = await knex.transaction(async (trx) => {
        const due = await repository.takeForReminder(now(), REMINDER_DAYS_BEFORE * DAY_MS, BATCH, trx);
        for (const r of due) {
          await outbox.enqueue(trx, emails.compose('solicitation-reminder', r.email, DEFAULT_LOCALE, { staffName: r.staffName, deadlineOn: deadlineDay(r.deadlineAt), link: link(seal.open(r.tokenSealed)) }));
        }
        return due.length;
      });
      sent += batch;
      if (batch < BATCH) return sent;
    }
  }

  async function forgetExpired(): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const batch = await knex.transaction((trx) => repository.forgetExpired(now(), BATCH, trx));
      forgotten += batch;
      if (batch < BATCH) return forgotten;
    }
  }

  return {
    /** The solicit page: HR's guidance, whom to ask, and who has been asked already. */
    async solicitPage(actor: Actor, cycleId: number, staffMemberId: number): Promise<{ cycle: ReviewCycle; staff: { id: number; name: string }; suggestions: Suggestion[]; requests: AskedView[]; defaultDeadline: string; latestDeadline: string }> {
      const { cycle, staff } = await authorise(actor, cycleId, staffMemberId);
      const requests = await repository.listRequests(cycle.id, staff.id);
      const asked = new Set(requests.map((r) => r.email).filter((e): e is string => e !== null));
      const people = await suggestionsFor(staff.id, recipientScope(actor));
      const suggestedEmails = new Set(people.map((p) => p.email));
      const suggested = people.filter((p) => !asked.has(p.email)).map(({ email, ...person }) => ({ ...person, handle: handleOf(actor, staff.id, email) }));
      // Someone asked from a suggestion keeps the anonymity of a suggestion: without a name, no address either.
      const listed = requests.map((r) => (r.email !== null && suggestedEmails.has(r.email.toLowerCase()) ? { ...r, email: null, fromSuggestion: true } : { ...r, fromSuggestion: false }));
      return { cycle, staff, suggestions: suggested, requests: listed, defaultDeadline: defaultDeadline(cycle), latestDeadline: cycle.reviewClosesOn };
    },

    /**
     * One request per new address, each with its own single-use link, e-mailed in the same
     * transaction. Addresses already asked about this staff member in this cycle are skipped.
     */
    async request(actor: Actor, cycleId: number, staffMemberId: number, input: SolicitationInput): Promise<{ requested: number; skipped: number }> {
      const { cycle, staff } = await authorise(actor, cycleId, staffMemberId);
      if (input.deadlineOn <= dayOf(now())) throw new ValidationError({ deadlineOn: 'reviews.errors.deadlineInPast' });
      if (input.deadlineOn > cycle.reviewClosesOn) throw new ValidationError({ deadlineOn: 'reviews.errors.deadlineAfterWindow' });
      const deadlineAt = startOfDay(input.deadlineOn) + DAY_MS;
      const people = await suggestionsFor(staff.id, recipientScope(actor));
      const names = new Map(people.map((s) => [s.email, s.displayName]));
      const byHandle = new Map(people.map((s) => [handleOf(actor, staff.id, s.email), s.email]));
      const ticked = input.suggested.map((handle) => byHandle.get(handle));
      // A handle from another page or reader, or for someone no longer suggested.
      if (ticked.includes(undefined)) throw new ValidationError({ suggested: 'reviews.errors.suggestionUnknown' });
      const addresses = [...new Set([...(ticked as string[]), ...input.addresses])];
      return knex.transaction(async (trx) => {
        const asked = await repository.requestedEmails(cycle.id, staff.id, trx);
        let requested = 0;
        for (const email of addresses) {
          if (asked.has(email)) continue;
          const { token, tokenHash } = newInvitationToken();
          try {
            await repository.insertRequest(
              { cycleId: cycle.id, staffMemberId: staff.id, requestedByAccountId: actor.accountId, email, displayName: (names.get(email) ?? '').slice(0, 200), tokenHash, tokenSealed: seal.seal(token), deadlineAt },
              trx,
            );
          } catch (err) {
            // Asked a moment ago by someone else (another manager in the chain, or HR).
            if (isUniqueViolation(err)) continue;
            throw err;
          }
          await outbox.enqueue(trx, emails.compose('solicitation-request', email, DEFAULT_LOCALE, { staffName: staff.name, deadlineOn: input.deadlineOn, link: link(token) }));
          requested++;
        }
        const skipped = addresses.length - requested;
        await audit.record({ actorAccountId: actor.accountId, action: 'review.solicitation.request', subjectType: 'staff_member', subjectId: staff.id, detail: { cycleId: cycle.id, requested, skipped } }, trx);
        return { requested, skipped };
      });
    },

    /**
     * Where a request link stands, without using it, and the cycle it was asked for (its answer
     * belongs there); undefined for an unknown or malformed link.
     */
    async linkState(token: string): Promise<{ state: RequestLinkState; cycleId: number; staffMemberId: number; deadlineOn: string } | undefined> {
      const found = await findLink(token);
      return found && { state: found.state, cycleId: found.cycleId, staffMemberId: found.staffMemberId, deadlineOn: deadlineDay(found.deadlineAt) };
    },

    /**
     * Uses a link in the caller's transaction (the one storing the answer): true only for an
     * unanswered request about this staff member, before its deadline, and only once.
     */
    async claim(token: string, staffMemberId: number, trx: Knex.Transaction): Promise<boolean> {
      if (!isInvitationToken(token)) return false;
      return repository.markAnswered(hashInvitationToken(token), staffMemberId, now(), trx);
    },

    sendDueReminders,
    forgetExpired,

    /** The periodic work: reminders three days before the deadline, then erasure at it. */
    async sweep(): Promise<{ reminded: number; forgotten: number }> {
      const reminded = await sendDueReminders();
      const forgotten = await forgetExpired();
      return { reminded, forgotten };
    },
  };
}

export type SolicitationService = ReturnType<typeof createSolicitationService>;
