import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import { hasAnyRole, type Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { bumpReferenceVersion, createReferenceCache, withOneVersionRead } from '../../platform/db/reference-cache';
import { transactionWithRetry } from '../../platform/db/retry';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../../platform/errors';
import { pageCountOf, type Page } from '../../platform/http/forms';
import type { EmailComposer } from '../../platform/mail/composer';
import { isAbout, type InboxService, type RoutingService } from '../routing';
import type { Attribution, FeedbackContent, RoutedItem, RoutedItemEvent } from '../routing/routing.schema';
import type { FeedbackRepository } from './feedback.repository';
import { newReference, REVEAL_ACTION, type BehaviourDimension, type FeedbackInput, type StaffVisibility } from './feedback.schema';
import type { IdentityRepository } from './identity.repository';
import { deriveReceiptCode, hashReceiptCode, sha256Hex } from './receipt-codes';

export interface FeedbackDirectory {
  findStaff(id: number): Promise<{ id: number; name: string; title: string; departmentName: string | null; communityFacing: boolean } | undefined>;
  searchCommunityFacing(query: string, limit: number): Promise<Array<{ id: number; name: string; title: string; departmentName: string | null }>>;
}

/** Requests for input (reviews): the form opened from a request's link, and the link used by the answer. */
export interface SolicitedRequests {
  /** `cycleId`: the review cycle the input was asked for. */
  linkState(token: string): Promise<{ state: 'open' | 'answered' | 'expired'; cycleId: number; staffMemberId: number; deadlineOn: string } | undefined>;
  /** Marks the request answered in the transaction storing the item; false when used, expired, or about someone else. */
  claim(token: string, staffMemberId: number, trx: Knex.Transaction): Promise<boolean>;
}

export interface SubmissionOutcome {
  readonly feedbackItemId: number;
  readonly reference: string;
  readonly attribution: Attribution;
  /** Shown to an anonymous submitter; the same for a resubmission of the same form. */
  readonly receiptCode?: string;
  readonly duplicate: boolean;
}

/** Limits a submission counts against, once it is known to be new. */
export interface SubmissionLimits {
  /** Counts an anonymous item against its sender; seconds to wait when over the limit, else 0. */
  readonly takeAnonymous?: () => Promise<number>;
}

export interface SubmitterView {
  readonly content: FeedbackContent;
  readonly item: RoutedItem;
  readonly events: RoutedItemEvent[];
}

export interface FeedbackServiceDeps {
  knex: Knex;
  repository: FeedbackRepository;
  identities: IdentityRepository;
  directory: FeedbackDirectory;
  routing: RoutingService;
  inbox: InboxService;
  emails: EmailComposer;
  audit: AuditLog;
  receiptSecret: string;
  publicUrl: string;
  solicitations?: SolicitedRequests;
  now: () => number;
}

export function createFeedbackService(deps: FeedbackServiceDeps) {
  const { knex, repository, identities, directory, routing, inbox, emails, audit, receiptSecret, publicUrl, solicitations, now } = deps;
  // The form and every submission read them; an admin's change bumps their version.
  const activeDimensions = createReferenceCache(knex, 'behaviour-dimensions', (db) => repository.listDimensions({ activeOnly: true }, db));
  const usedLink = () => new ValidationError({ solicitation: 'feedback.errors.solicitationUsed' }, 'feedback.errors.solicitationUsed');

  /** The item behind a reference, the id readers see in URLs and forms; unknown ones are "not found". */
  async function idOf(reference: string): Promise<number> {
    const id = await repository.idForReference(reference);
    if (id === undefined) throw new NotFoundError();
    return id;
  }

  async function contentOf(feedbackItemId: number): Promise<FeedbackContent> {
    const content = (await repository.contentFor([feedbackItemId])).get(feedbackItemId);
    if (!content) throw new NotFoundError();
    return content;
  }

  async function submitterView(feedbackItemId: number): Promise<SubmitterView> {
    const content = await contentOf(feedbackItemId);
    return { content, ...(await inbox.submitterView(feedbackItemId)) };
  }

  function outcomeOf(existing: { id: number; reference: string; attribution: Attribution }, submissionKey: string, duplicate: boolean): SubmissionOutcome {
    return {
      feedbackItemId: existing.id,
      reference: existing.reference,
      attribution: existing.attribution,
      ...(existing.attribution === 'anonymous' ? { receiptCode: deriveReceiptCode(receiptSecret, submissionKey) } : {}),
      duplicate,
    };
  }

  async function itemIdForReceipt(code: string): Promise<number | undefined> {
    const hash = hashReceiptCode(code);
    return hash ? repository.findByReceiptCodeHash(hash) : undefined;
  }

  async function submit(actor: Actor | undefined, input: FeedbackInput, limits: SubmissionLimits): Promise<SubmissionOutcome> {
    const submissionKeyHash = sha256Hex(input.submissionKey);
    if (input.attribution === 'anonymous') {
      // Looked up first, so a resubmission costs the sender nothing: the limit counts new items only.
      const existing = await repository.findBySubmissionKeyHash(submissionKeyHash);
      if (existing) return outcomeOf(existing, input.submissionKey, true);
      const wait = (await limits.takeAnonymous?.()) ?? 0;
      if (wait > 0) throw new TooManyRequestsError(wait);
    }
    // Otherwise the unique submission key is the check: a resubmission's insert fails, and it is
    // answered as the first was (below).

    if (input.attribution !== 'anonymous' && !hasAnyRole(actor, ['member'])) {
      throw new ValidationError({ attribution: actor ? 'feedback.errors.membersOnly' : 'feedback.errors.signInForNamed' });
    }
    // Routing reads the subject with their chain: one read of the directory per submission.
    const routed = await routing.decideRecipient({ subjectStaffMemberId: input.staffMemberId, kind: input.kind, escalationRequested: input.escalate });
    if (!routed?.subject.communityFacing) throw new ValidationError({ staffMemberId: 'feedback.errors.staffRequired' });
    const subject = routed.subject;
    const dimensions = new Map((await activeDimensions()).map((d) => [d.id, d.label]));
    const unknown = Object.keys(input.ratings).find((id) => !dimensions.has(Number(id)));
    if (unknown) throw new ValidationError({ [`rating_${unknown}`]: 'feedback.errors.ratingInvalid' });
    if (input.solicitation && !solicitations) throw usedLink();
    // The cycle the input was asked for: its packet includes the answer whatever day it arrives.
    // (The claim below checks the link; a request's cycle never changes.)
    const solicitedCycleId = input.solicitation ? ((await solicitations!.linkState(input.solicitation))?.cycleId ?? null) : null;
    // In the dimensions' order, as contentFor reads them back.
    const ratings = [...dimensions]
      .filter(([id]) => input.ratings[String(id)] !== undefined)
      .map(([id, label]) => ({ dimensionId: id, label, score: input.ratings[String(id)]! }));

    const recipientStaffMemberId = routed.recipientStaffMemberId;
    if (recipientStaffMemberId === undefined) throw new ConflictError('feedback.errors.noRecipient');
    const receiptCode = input.attribution === 'anonymous' ? deriveReceiptCode(receiptSecret, input.submissionKey) : null;
    // Everything is worked out before the transaction (due times, e-mails), so it only writes: on
    // SQLite every other request waits while it is open, on MariaDB it holds a pooled connection.
    const createdAt = now();
    const reference = newReference(createdAt);
    const content: Omit<FeedbackContent, 'feedbackItemId'> = {
      reference,
      staffMemberId: subject.id,
      staffName: subject.name,
      kind: input.kind,
      attribution: input.attribution,
      comment: input.comment,
      context: input.context,
      escalationRequested: input.escalate,
      ratings: ratings.map(({ label, score }) => ({ label, score })),
      createdAt,
    };
    const arrival = await inbox.prepareArrival(content, recipientStaffMemberId, routed.recipientEmail);
    // Anonymous items store no account, address or agent, and send the submitter nothing.
    const submitter = input.attribution !== 'anonymous' ? actor : undefined;
    const acknowledgement =
      submitter &&
      emails.compose('feedback-received', submitter.email, submitter.locale, {
        reference,
        staffName: subject.name,
        attribution: input.attribution,
        link: `${publicUrl}/feedback/mine/${reference}`,
      });
    try {
      // Retried whole when it loses a conflict (on Galera, another node's write certified first).
      return await transactionWithRetry(knex, async (trx) => {
        const id = await repository.insert(
          {
            reference,
            createdAt,
            staffMemberId: subject.id,
            kind: input.kind,
            attribution: input.attribution,
            comment: input.comment,
            context: input.context,
            escalationRequested: input.escalate,
            submissionKeyHash,
            receiptCodeHash: receiptCode ? hashReceiptCode(receiptCode)! : null,
            // Only a named answer says it was asked for: on an anonymous or confidential one, the mark
            // beside the list of people asked would narrow who wrote it.
            solicited: !!input.solicitation && input.attribution === 'named',
            solicitedCycleId,
            ratings,
          },
          trx,
        );
        // After the insert: a double submit of one form meets the unique key above and answers as
        // the first did. The request learns only that it was answered; the item, only "solicited".
        if (input.solicitation && !(await solicitations!.claim(input.solicitation, subject.id, trx))) throw usedLink();
        if (submitter) await identities.insert(id, { accountId: submitter.accountId, displayName: submitter.displayName, email: submitter.email }, trx);
        await inbox.storeArrival(trx, arrival, id, acknowledgement ? [acknowledgement] : []);
        return outcomeOf({ id, reference, attribution: input.attribution }, input.submissionKey, false);
      });
    } catch (err) {
      // The form was stored already (a resubmission, or two copies raced): answer as the first did.
      if (!isUniqueViolation(err)) throw err;
      const winner = await repository.findBySubmissionKeyHash(submissionKeyHash);
      if (!winner) throw err;
      return outcomeOf(winner, input.submissionKey, true);
    }
  }

  return {
    listDimensions: (): Promise<BehaviourDimension[]> => activeDimensions(),
    searchStaff: (query: string) => directory.searchCommunityFacing(query, 20),

    /** A request link's state and the staff member it is about; not found for an unknown link. */
    async requestedLink(token: string) {
      const found = await solicitations?.linkState(token);
      if (!found) throw new NotFoundError();
      return found;
    },

    async staffForForm(staffMemberId: number) {
      const member = await directory.findStaff(staffMemberId);
      return member?.communityFacing ? member : undefined;
    },

    /**
     * Stores one feedback item, its routed item and its e-mails in one transaction. The same form
     * submitted twice (double click, retry) stores one item and answers the same both times.
     * Reference data (rules, targets, dimensions) is checked with one read of their versions.
     */
    submit: (actor: Actor | undefined, input: FeedbackInput, limits: SubmissionLimits = {}): Promise<SubmissionOutcome> => withOneVersionRead(() => submit(actor, input, limits)),

    async mine(actor: Actor): Promise<FeedbackContent[]> {
      const ids = await identities.itemIdsSubmittedBy(actor.accountId);
      const content = await repository.contentFor(ids);
      return ids.map((id) => content.get(id)!).filter(Boolean);
    },

    /** A signed-in submitter's own item, by reference; anyone else's is "not found". */
    async mineView(actor: Actor, reference: string): Promise<SubmitterView> {
      const feedbackItemId = await idOf(reference);
      if (!(await identities.isSubmitter(actor.accountId, feedbackItemId))) throw new NotFoundError();
      return submitterView(feedbackItemId);
    },

    async mineReply(actor: Actor, reference: string, body: string): Promise<void> {
      const feedbackItemId = await idOf(reference);
      if (!(await identities.isSubmitter(actor.accountId, feedbackItemId))) throw new NotFoundError();
      await inbox.submitterReply(feedbackItemId, body);
    },

    /** The anonymous submitter's view, opened by the receipt code alone; undefined for a wrong code. */
    async receiptView(code: string): Promise<SubmitterView | undefined> {
      const id = await itemIdForReceipt(code);
      return id === undefined ? undefined : submitterView(id);
    },

    async receiptReply(code: string, body: string): Promise<void> {
      const id = await itemIdForReceipt(code);
      if (id === undefined) throw new NotFoundError();
      await inbox.submitterReply(id, body);
    },

    /** What the staff member concerned may see about themselves under the organisation's setting. */
    async aboutMe(actor: Actor): Promise<{ visibility: StaffVisibility; items: Array<FeedbackContent & { submitter: string | undefined }> }> {
      const visibility = await repository.staffVisibility();
      if (actor.staffMemberId === null) return { visibility, items: [] };
      const items = await repository.visibleToStaffMember(actor.staffMemberId, visibility);
      const names = await identities.namedSubmitters(items.map((c) => c.feedbackItemId));
      return { visibility, items: items.map((c) => ({ ...c, submitter: names.get(c.feedbackItemId)?.displayName })) };
    },

    /** Every item, for HR and the complaints officer (content only; identities stay sealed). */
    async oversight(actor: Actor, filter: { attribution?: Attribution; page: number; pageSize: number }): Promise<Page<{ content: FeedbackContent; routedPublicId: string | null }>> {
      if (!hasAnyRole(actor, ['hr', 'complaints'])) throw new ForbiddenError();
      const { ids, total } = await repository.listAll({ ...filter, excludeStaffMemberId: actor.staffMemberId, now: now() });
      const content = await repository.contentFor(ids);
      const routed = await inbox.publicIdsFor(ids);
      const items = ids.map((id) => ({ content: content.get(id)!, routedPublicId: routed.get(id) ?? null }));
      return { items, total, page: filter.page, pageSize: filter.pageSize, pageCount: pageCountOf(total, filter.pageSize) };
    },

    /** Unseals a confidential submitter for HR or the complaints officer; the reason is audited. */
    async reveal(actor: Actor, reference: string, reason: string): Promise<{ displayName: string; email: string }> {
      if (!hasAnyRole(actor, ['hr', 'complaints'])) throw new ForbiddenError();
      const feedbackItemId = await idOf(reference);
      const content = await contentOf(feedbackItemId);
      if (isAbout(actor, content)) throw new NotFoundError();
      if (content.attribution !== 'confidential') throw new ConflictError('feedback.reveal.notConfidential');
      return knex.transaction(async (trx) => {
        const identity = await identities.reveal(feedbackItemId, trx);
        if (!identity) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: REVEAL_ACTION, subjectType: 'feedback_item', subjectId: reference, detail: { reason } }, trx);
        return identity;
      });
    },

    listAllDimensions: () => repository.listDimensions({ activeOnly: false }),

    async updateDimension(actor: Actor, id: number, fields: { label: string; description: string; position: number; active: boolean }): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await repository.updateDimension(id, fields, trx))) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'feedback.dimension.update', subjectType: 'behaviour_dimension', subjectId: id }, trx);
        await bumpReferenceVersion(trx, 'behaviour-dimensions');
      });
    },

    staffVisibility: () => repository.staffVisibility(),

    async setStaffVisibility(actor: Actor, value: StaffVisibility): Promise<void> {
      await knex.transaction(async (trx) => {
        await repository.setStaffVisibility(value, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'feedback.settings.visibility', subjectType: 'organisation_settings', detail: { value } }, trx);
      });
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
