import type { Knex } from 'knex';
import { isRole, type Role } from '../../platform/auth/roles';

type Db = Knex | Knex.Transaction;

export type ProposalDecision = 'approved' | 'rejected';

export interface RoleProposal {
  readonly id: number;
  readonly accountId: number;
  readonly role: Role;
  readonly proposedBy: number;
  readonly proposedAt: number;
  readonly expiresAt: number;
}

/** A pending proposal with the names an administrator needs to decide it. */
export interface RoleProposalView extends RoleProposal {
  readonly accountName: string;
  readonly accountEmail: string;
  readonly proposerName: string;
}

const COLUMNS = ['p.id', 'p.account_id', 'p.role', 'p.proposed_by', 'p.proposed_at', 'p.expires_at'];

function toProposal(row: Record<string, unknown>): RoleProposal {
  const role = String(row.role);
  if (!isRole(role)) throw new Error(`unknown role in proposal ${String(row.id)}`);
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    role,
    proposedBy: Number(row.proposed_by),
    proposedAt: Number(row.proposed_at),
    expiresAt: Number(row.expires_at),
  };
}

export function createRoleProposalsRepository(knex: Knex) {
  /** Undecided and not yet expired at `now`. */
  const pending = (db: Db, now: number) => db('role_grant_proposals as p').whereNull('p.decision').where('p.expires_at', '>', now);

  return {
    async insert(fields: Omit<RoleProposal, 'id'>, db: Db = knex): Promise<number> {
      const [id] = await db('role_grant_proposals').insert({
        account_id: fields.accountId,
        role: fields.role,
        proposed_by: fields.proposedBy,
        proposed_at: fields.proposedAt,
        expires_at: fields.expiresAt,
      });
      return Number(id);
    },

    async findPending(id: number, now: number, db: Db = knex): Promise<RoleProposal | undefined> {
      const row = await pending(db, now).select(COLUMNS).where('p.id', id).first();
      return row ? toProposal(row) : undefined;
    },

    /** The roles already awaiting approval for an account. */
    async pendingRolesOf(accountId: number, now: number, db: Db = knex): Promise<Role[]> {
      const rows = await pending(db, now).select('p.role').where('p.account_id', accountId).orderBy('p.role');
      return rows.map((r) => String(r.role)).filter(isRole);
    },

    /** Every pending proposal, oldest first. */
    async listPending(now: number, db: Db = knex): Promise<RoleProposalView[]> {
      const rows: Array<Record<string, unknown>> = await pending(db, now)
        .join('accounts as a', 'a.id', 'p.account_id')
        .join('accounts as proposer', 'proposer.id', 'p.proposed_by')
        .select([...COLUMNS, 'a.display_name as account_name', 'a.email as account_email', 'proposer.display_name as proposer_name'])
        .orderBy([{ column: 'p.proposed_at' }, { column: 'p.id' }]);
      return rows.map((r) => ({ ...toProposal(r), accountName: String(r.account_name), accountEmail: String(r.account_email), proposerName: String(r.proposer_name) }));
    },

    /** Decides a pending proposal; false when another decision (or its expiry) came first. */
    async decide(id: number, decision: ProposalDecision, decidedBy: number, now: number, db: Db = knex): Promise<boolean> {
      const changed = await db('role_grant_proposals')
        .where({ id })
        .whereNull('decision')
        .where('expires_at', '>', now)
        .update({ decision, decided_by: decidedBy, decided_at: now });
      return changed === 1;
    },
  };
}

export type RoleProposalsRepository = ReturnType<typeof createRoleProposalsRepository>;
