import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { ConflictError, NotFoundError } from '../../platform/errors';
import type { RoutingRulesRepository } from './routing-rules.repository';
import type { FeedbackKind, RoutingRule, RoutingRuleInput, RoutingTarget } from './routing.schema';

/** What routing needs from the directory. */
export interface RoutingDirectory {
  routingFacts(
    staffId: number,
    db?: Knex | Knex.Transaction,
  ): Promise<{ member: { id: number; isExecutive: boolean }; chain: Array<{ id: number; isExecutive: boolean }>; managesPeople: boolean } | undefined>;
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

  async function resolve(target: RoutingTarget, chain: Array<{ id: number }>): Promise<number | undefined> {
    if (target === 'complaints_officer') return (await directory.complaintsOfficers())[0];
    // Near the top of a chain there may be no one "one level up": the highest person there is takes it.
    const index = target === 'people_manager' ? 0 : 1;
    return (chain[index] ?? chain[chain.length - 1])?.id;
  }

  return {
    listRules: () => rules.list(),

    /**
     * The staff member who receives an item: the first rule (by position) whose conditions match
     * picks the target. With nobody above the subject (the head of the organisation), the complaints
     * officer receives it.
     */
    async decideRecipient(request: RoutingRequest): Promise<{ recipientStaffMemberId: number; ruleId: number | null }> {
      const facts = await directory.routingFacts(request.subjectStaffMemberId);
      if (!facts) throw new NotFoundError();
      const rule = (await rules.list()).find((r) => matches(r, request, facts.managesPeople));
      let recipient = rule ? await resolve(rule.target, facts.chain) : undefined;
      if (recipient === undefined || recipient === request.subjectStaffMemberId) {
        recipient = (await directory.complaintsOfficers()).find((id) => id !== request.subjectStaffMemberId);
      }
      if (recipient === undefined) throw new ConflictError('feedback.errors.noRecipient');
      return { recipientStaffMemberId: recipient, ruleId: rule?.id ?? null };
    },

    async createRule(actor: Actor, input: RoutingRuleInput): Promise<number> {
      return knex.transaction(async (trx) => {
        const id = await rules.insert(input, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'routing.rule.create', subjectType: 'routing_rule', subjectId: id, detail: { ...input } }, trx);
        return id;
      });
    },

    async deleteRule(actor: Actor, id: number): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await rules.remove(id, trx))) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'routing.rule.delete', subjectType: 'routing_rule', subjectId: id }, trx);
      });
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
