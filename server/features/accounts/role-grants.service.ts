import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import { ASSIGNABLE_ROLES, needsApproval, type Actor, type Role } from '../../platform/auth/roles';
import type { Clock } from '../../platform/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { AccountsRepository } from './accounts.repository';
import type { RoleProposalsRepository, RoleProposalView } from './role-proposals.repository';

/** How long a proposal waits for a second administrator before it lapses. */
export const ROLE_PROPOSAL_TTL_MS = 7 * 86_400_000;

export interface RoleGrantsDeps {
  knex: Knex;
  repository: AccountsRepository;
  proposals: RoleProposalsRepository;
  outbox: Outbox;
  emails: EmailComposer;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Roles granted by hand (separation of duties): revoking and granting the community-member role
 * take effect at once; a role that reads identities or content (see ROLES_NEEDING_APPROVAL) is only
 * proposed, and takes effect when a different administrator, who is not its recipient, approves it.
 */
export function createRoleGrantsService(deps: RoleGrantsDeps) {
  const { knex, repository, proposals, outbox, emails, audit, clock } = deps;

  async function pendingProposal(proposalId: number, trx: Knex.Transaction) {
    const proposal = await proposals.findPending(proposalId, clock.now(), trx);
    if (!proposal) throw new NotFoundError();
    return proposal;
  }

  return {
    pendingProposals: (): Promise<RoleProposalView[]> => proposals.listPending(clock.now()),

    pendingRolesOf: (accountId: number): Promise<Role[]> => proposals.pendingRolesOf(accountId, clock.now()),

    /**
     * Sets the roles an admin grants by hand from the roles ticked on the form; directory roles are
     * not touched here. Returns the roles that now await a second administrator.
     */
    async changeRoles(actor: Actor, accountId: number, roles: Role[]): Promise<Role[]> {
      if (roles.some((r) => !(ASSIGNABLE_ROLES as readonly Role[]).includes(r))) throw new ValidationError({ roles: 'validation.role.invalid' });
      if (accountId === actor.accountId && !roles.includes('admin')) throw new ForbiddenError('accounts.admin.cannotDropOwnAdmin');
      return knex.transaction(async (trx) => {
        if (!(await repository.findById(accountId, trx))) throw new NotFoundError();
        const current = await repository.storedRoles(accountId, trx);
        const added = [...new Set(roles)].filter((r) => !current.includes(r));
        const toPropose = added.filter(needsApproval);
        if (toPropose.length > 0 && accountId === actor.accountId) throw new ForbiddenError('accounts.admin.cannotProposeForSelf');
        const effective = [...current.filter((r) => roles.includes(r)), ...added.filter((r) => !needsApproval(r))];
        await repository.replaceStoredRoles(accountId, effective, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'account.roles.set', subjectType: 'account', subjectId: accountId, detail: { roles: effective } }, trx);

        const alreadyPending = await proposals.pendingRolesOf(accountId, clock.now(), trx);
        for (const role of toPropose.filter((r) => !alreadyPending.includes(r))) {
          const proposalId = await proposals.insert({ accountId, role, proposedBy: actor.accountId, proposedAt: clock.now(), expiresAt: clock.now() + ROLE_PROPOSAL_TTL_MS }, trx);
          await audit.record({ actorAccountId: actor.accountId, action: 'account.role.propose', subjectType: 'account', subjectId: accountId, detail: { role, proposal: proposalId } }, trx);
        }
        return toPropose;
      });
    },

    /**
     * Grants the proposed role. The approver is neither the proposer nor the recipient; those who
     * held the role before are told, each in their own language.
     */
    async approve(actor: Actor, proposalId: number): Promise<void> {
      await knex.transaction(async (trx) => {
        const proposal = await pendingProposal(proposalId, trx);
        if (proposal.proposedBy === actor.accountId) throw new ForbiddenError('accounts.proposals.cannotApproveOwnProposal');
        if (proposal.accountId === actor.accountId) throw new ForbiddenError('accounts.proposals.cannotApproveForSelf');
        if (!(await proposals.decide(proposalId, 'approved', actor.accountId, clock.now(), trx))) throw new NotFoundError();
        const [account, proposer] = await Promise.all([repository.findById(proposal.accountId, trx), repository.findById(proposal.proposedBy, trx)]);
        if (!account || !proposer) throw new NotFoundError();
        const holders = await repository.holdersOfRole(proposal.role, trx);
        const current = await repository.storedRoles(account.id, trx);
        if (!current.includes(proposal.role)) await repository.replaceStoredRoles(account.id, [...current, proposal.role], trx);
        await audit.record(
          { actorAccountId: actor.accountId, action: 'account.role.grant', subjectType: 'account', subjectId: account.id, detail: { role: proposal.role, proposal: proposalId, proposedBy: proposer.id, approvedBy: actor.accountId } },
          trx,
        );
        for (const holder of holders.filter((h) => h.email !== account.email)) {
          await outbox.enqueue(
            trx,
            emails.compose('role-granted', holder.email, holder.locale, {
              role: proposal.role,
              name: account.displayName,
              proposer: proposer.displayName,
              approver: actor.displayName,
            }),
          );
        }
      });
    },

    /** Declines a proposal (its proposer may withdraw it this way too). */
    async reject(actor: Actor, proposalId: number): Promise<void> {
      await knex.transaction(async (trx) => {
        const proposal = await pendingProposal(proposalId, trx);
        if (!(await proposals.decide(proposalId, 'rejected', actor.accountId, clock.now(), trx))) throw new NotFoundError();
        await audit.record(
          { actorAccountId: actor.accountId, action: 'account.role.reject', subjectType: 'account', subjectId: proposal.accountId, detail: { role: proposal.role, proposal: proposalId, proposedBy: proposal.proposedBy } },
          trx,
        );
      });
    },
  };
}

export type RoleGrantsService = ReturnType<typeof createRoleGrantsService>;
