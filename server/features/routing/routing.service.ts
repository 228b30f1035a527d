import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { bumpReferenceVersion, createReferenceCache } from '../../platform/db/reference-cache';
import { NotFoundError } from '../../platform/errors';
import type { RoutingRulesRepository } from './routing-rules.repository';
import type { FeedbackKind, RoutingRule, RoutingRuleInput, RoutingTarget } from './routing.schema';

/** The staff member an item is about, as routing reads them (once per submission). */
export interface RoutingSubject {
  readonly id: number;
  readonly name: string;
  readonly isExecutive: boolean;
  readonly communityFacing: boolean;
}

/** What routing needs from the directory. */
export interface RoutingDirectory {
  routingFacts(
    staffId: number,
    db?: Knex | Knex.Transaction,
  ): Promise<{ member: RoutingSubject; chain: Array<{ id: number; email: string; isExecutive: boolean }>; managesPeople: boolean } | undefined>;
  /** Staff members who hold the complaints officer role. */
  complaintsOfficers(db?: Knex | Knex.Transaction): Promise<number[]>;
}

export interface RoutingRequest {
  readonly subjectStaffMemberId: number;
  readonly kind: FeedbackKind;
  readonly escalationRequested: boolean;
}

export function matches(rule: RoutingRule, request: RoutingRequest, subjectIsManager: boolean): boolean {
  return (
    (rule.kind === null || rule.kind === request.kind) &&
    (rule.subjectIsManager === null || rule.subjectIsManager === subjectIsManager) &&
    (rule.escalationRequested === null || rule.escalationRequested === request.escalationRequested)
  );
}

export function createRoutingService(deps: { knex: Knex; rules: RoutingRulesRepository; directory: RoutingDirectory; audit: AuditLog }) {
  const { knex, rules, directory, audit } = deps;
  // Read on every submission: cached per process, checked against its version row.
  const currentRules = createReferenceCache(knex, 'routing-rules', (db) => rules.list(db));

  /** The recipient's id, and their address when the chain read gave it. */
  async function resolve(target: RoutingTarget, chain: Array<{ id: number; email: string }>): Promise<{ id: number; email?: string } | undefined> {
    if (target === 'complaints_officer') {
      const officer = (await directory.complaintsOfficers())[0];
      return officer === undefined ? undefined : { id: officer };
    }
    // Near the top of a chain there may be no one "one level up": the highest person there is takes it.
    const index = target === 'people_manager' ? 0 : 1;
    const found = chain[index] ?? chain[chain.length - 1];
    return found && { id: found.id, email: found.email };
  }

  return {
    listRules: () => rules.list(),

    /**
     * The staff member who receives an item: the first rule (by position) whose conditions match
     * picks the target. With nobody above the subject (the head of the organisation), the complaints
     * officer receives it.
     */
    /**
     * The subject (undefined when unknown) and who would receive an item about them (undefined when
     * no one can), so the caller checks both against its own rules without reading the subject again.
     */
    async decideRecipient(request: RoutingRequest): Promise<{ subject: RoutingSubject; recipientStaffMemberId: number | undefined; recipientEmail?: string; ruleId: number | null } | undefined> {
      const facts = await directory.routingFacts(request.subjectStaffMemberId);
      if (!facts) return undefined;
      const rule = (await currentRules()).find((r) => matches(r, request, facts.managesPeople));
      let recipient = rule ? await resolve(rule.target, facts.chain) : undefined;
      if (recipient === undefined || recipient.id === request.subjectStaffMemberId) {
        const officer = (await directory.complaintsOfficers()).find((id) => id !== request.subjectStaffMemberId);
        recipient = officer === undefined ? undefined : { id: officer };
      }
      return { subject: facts.member, recipientStaffMemberId: recipient?.id, recipientEmail: recipient?.email, ruleId: rule?.id ?? null };
    },

    async createRule(actor: Actor, input: RoutingRuleInput): Promise<number> {
      return knex.transaction(async (trx) => {
        const id = await rules.insert(input, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'routing.rule.create', subjectType: 'routing_rule', subjectId: id, detail: { ...input } }, trx);
        await bumpReferenceVersion(trx, 'routing-rules');
        return id;
      });
    },

    async deleteRule(actor: Actor, id: number): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await rules.remove(id, trx))) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'routing.rule.delete', subjectType: 'routing_rule', subjectId: id }, trx);
        await bumpReferenceVersion(trx, 'routing-rules');
      });
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
