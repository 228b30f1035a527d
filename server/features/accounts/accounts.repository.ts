import type { Knex } from 'knex';
import { toBoolean } from '../../platform/db/json';
import { isRole, type Actor, type Role } from '../../platform/auth/roles';

type Db = Knex | Knex.Transaction;

export interface AccountRecord {
  readonly id: number;
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string | null;
  readonly emailVerifiedAt: number | null;
  readonly staffMemberId: number | null;
  readonly locale: string;
}

export interface AccountSummary {
  readonly id: number;
  readonly email: string;
  readonly displayName: string;
  readonly verified: boolean;
  readonly staffMemberId: number | null;
  readonly roles: Role[];
}

export type TokenPurpose = 'verify-email' | 'reset-password';

const ACCOUNT_COLUMNS = ['id', 'email', 'display_name', 'password_hash', 'email_verified_at', 'staff_member_id', 'locale'];
// What a signed-in request needs of its account: no password hash.
const ACTOR_COLUMNS = ACCOUNT_COLUMNS.filter((c) => c !== 'password_hash');

/** Rows of an account, one per stored role, with its directory facts: the actor, if verified. */
function actorFrom(rows: ReadonlyArray<Record<string, unknown>>): Actor | undefined {
  const first = rows[0];
  if (!first || first.id == null || first.email_verified_at == null) return undefined;
  const account = toAccount(first);
  const roles = new Set<Role>(rows.map((r) => String(r.role)).filter(isRole));
  if (first.staff_id != null) {
    roles.add('staff');
    if (toBoolean(first.is_executive)) roles.add('executive');
    if (toBoolean(first.has_reports)) roles.add('manager');
  }
  return {
    accountId: account.id,
    email: account.email,
    displayName: account.displayName,
    staffMemberId: account.staffMemberId,
    roles: [...roles].sort(),
    locale: account.locale,
  };
}

const actorSelect = `${ACTOR_COLUMNS.map((c) => `a.${c}`).join(', ')}, r.role, st.id as staff_id, st.is_executive, exists (select 1 from staff_members m where m.manager_id = a.staff_member_id) as has_reports`;
const sessionJoins = (accountIdOfSession: string) =>
  `from sessions s left join accounts a on a.id = ${accountIdOfSession} left join account_roles r on r.account_id = a.id left join staff_members st on st.id = a.staff_member_id`;
/**
 * Written out rather than built by Knex (it runs on every request with a cookie). The expiry test is
 * connect-session-knex's own (server/platform/auth/session.ts stores the rows through it).
 */
const sessionQueries = {
  sqlite: {
    sql: `select s.sess, ${actorSelect} ${sessionJoins("json_extract(s.sess, '$.passport.user')")} where s.sid = ? and datetime(?) <= datetime(s.expired)`,
    expiry: (at: Date) => at.toISOString(),
  },
  mysql: {
    sql: `select s.sess, ${actorSelect} ${sessionJoins("cast(json_value(s.sess, '$.passport.user') as unsigned)")} where s.sid = ? and cast(? as datetime) <= s.expired`,
    expiry: (at: Date) => at.toISOString().slice(0, 19).replace('T', ' '),
  },
};

function toAccount(row: Record<string, unknown>): AccountRecord {
  return {
    id: Number(row.id),
    email: String(row.email),
    displayName: String(row.display_name),
    passwordHash: row.password_hash == null ? null : String(row.password_hash),
    emailVerifiedAt: row.email_verified_at == null ? null : Number(row.email_verified_at),
    staffMemberId: row.staff_member_id == null ? null : Number(row.staff_member_id),
    locale: String(row.locale ?? 'en'),
  };
}

export function createAccountsRepository(knex: Knex, now: () => number) {
  async function storedRoles(accountId: number, db: Db): Promise<Role[]> {
    const rows = await db('account_roles').select('role').where({ account_id: accountId });
    return rows.map((r) => String(r.role)).filter(isRole);
  }

  async function findById(id: number, db: Db = knex): Promise<AccountRecord | undefined> {
    const row = await db('accounts').select(ACCOUNT_COLUMNS).where({ id }).first();
    return row ? toAccount(row) : undefined;
  }

  return {
    findById,

    async findByEmail(email: string, db: Db = knex): Promise<AccountRecord | undefined> {
      const row = await db('accounts').select(ACCOUNT_COLUMNS).where({ email: email.toLowerCase() }).first();
      return row ? toAccount(row) : undefined;
    },

    /**
     * The account as the rest of the application sees it. Staff, manager and executive follow from
     * the directory link, so a directory change takes effect at the next request.
     */
    async findActor(id: number, db: Db = knex): Promise<Actor | undefined> {
      // One statement: a row per stored role (one with no role when there is none), with the
      // directory facts beside each.
      const rows = await db('accounts as a')
        .leftJoin('account_roles as r', 'r.account_id', 'a.id')
        .leftJoin('staff_members as s', 's.id', 'a.staff_member_id')
        .where('a.id', id)
        .select(ACTOR_COLUMNS.map((c) => `a.${c}`))
        .select('r.role', { staff_id: 's.id', is_executive: 's.is_executive' })
        .select(db.raw('exists (select 1 from ?? as ?? where ?? = ??) as ??', ['staff_members', 'm', 'm.manager_id', 'a.staff_member_id', 'has_reports']));
      return actorFrom(rows);
    },

    /**
     * A stored session that has not expired, with the account signed in to it, in one statement, as
     * every request with a session cookie reads both. `actor` is absent when nobody is signed in to
     * the session, and null when its account vanished or lost its verification.
     */
    async sessionWithActor(sid: string, at: Date): Promise<{ sess: unknown; actor?: Actor | null } | undefined> {
      const mysql = knex.client.dialect === 'mysql';
      const { sql, expiry } = sessionQueries[mysql ? 'mysql' : 'sqlite'];
      const result = await knex.raw(sql, [sid, expiry(at)]);
      const rows = (mysql ? result[0] : result) as Array<Record<string, unknown>>;
      const first = rows[0];
      if (!first) return undefined;
      const sess = typeof first.sess === 'string' ? JSON.parse(first.sess) : first.sess;
      if ((sess as { passport?: { user?: unknown } }).passport?.user === undefined) return { sess };
      return { sess, actor: actorFrom(rows) ?? null };
    },

    async insert(
      fields: { email: string; displayName: string; passwordHash: string | null; verified: boolean; staffMemberId: number | null; locale: string },
      db: Db = knex,
    ): Promise<number> {
      const t = now();
      const [id] = await db('accounts').insert({
        email: fields.email.toLowerCase(),
        display_name: fields.displayName,
        password_hash: fields.passwordHash,
        email_verified_at: fields.verified ? t : null,
        staff_member_id: fields.staffMemberId,
        locale: fields.locale,
        created_at: t,
        updated_at: t,
      });
      return Number(id);
    },

    async update(
      id: number,
      fields: Partial<{ passwordHash: string; emailVerifiedAt: number; staffMemberId: number | null; displayName: string }>,
      db: Db = knex,
    ): Promise<void> {
      const columns: Record<string, unknown> = { updated_at: now() };
      if (fields.passwordHash !== undefined) columns.password_hash = fields.passwordHash;
      if (fields.emailVerifiedAt !== undefined) columns.email_verified_at = fields.emailVerifiedAt;
      if (fields.staffMemberId !== undefined) columns.staff_member_id = fields.staffMemberId;
      if (fields.displayName !== undefined) columns.display_name = fields.displayName;
      await db('accounts').where({ id }).update(columns);
    },

    storedRoles: (accountId: number, db: Db = knex) => storedRoles(accountId, db),

    async replaceStoredRoles(accountId: number, roles: readonly Role[], db: Db = knex): Promise<void> {
      await db('account_roles').where({ account_id: accountId }).delete();
      if (roles.length > 0) await db('account_roles').insert(roles.map((role) => ({ account_id: accountId, role })));
    },

    async list(filter: { query?: string; page: number; pageSize: number }, db: Db = knex): Promise<{ items: AccountSummary[]; total: number }> {
      const apply = (q: Knex.QueryBuilder) => {
        if (filter.query) {
          const like = `%${filter.query.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
          q.where((w) => w.whereRaw("lower(email) like ? escape '!'", [like]).orWhereRaw("lower(display_name) like ? escape '!'", [like]));
        }
        return q;
      };
      const total = await apply(db('accounts').count({ n: '*' })).first();
      const rows: Array<Record<string, unknown>> = await apply(db('accounts').select('id', 'email', 'display_name', 'email_verified_at', 'staff_member_id'))
        .orderBy('email')
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      const ids = rows.map((r) => Number(r.id));
      const roleRows: Array<{ account_id: number; role: string }> = ids.length ? await db('account_roles').select('account_id', 'role').whereIn('account_id', ids) : [];
      return {
        total: Number(total?.n ?? 0),
        items: rows.map((r) => ({
          id: Number(r.id),
          email: String(r.email),
          displayName: String(r.display_name),
          verified: r.email_verified_at != null,
          staffMemberId: r.staff_member_id == null ? null : Number(r.staff_member_id),
          roles: roleRows.filter((rr) => Number(rr.account_id) === Number(r.id)).map((rr) => String(rr.role)).filter(isRole),
        })),
      };
    },

    async insertToken(accountId: number, purpose: TokenPurpose, digest: string, expiresAt: number, db: Db = knex): Promise<void> {
      await db('account_tokens').insert({ account_id: accountId, purpose, token_hash: digest, expires_at: expiresAt, created_at: now() });
    },

    /** Marks a token used and returns its account, or undefined when it is unknown, used or expired. */
    async consumeToken(digest: string, purpose: TokenPurpose, db: Db = knex): Promise<number | undefined> {
      const t = now();
      const row = await db('account_tokens').select('id', 'account_id').where({ token_hash: digest, purpose }).whereNull('used_at').where('expires_at', '>', t).first();
      if (!row) return undefined;
      // The guarded update makes a race between two uses of one link end with exactly one winner.
      const changed = await db('account_tokens').where({ id: row.id }).whereNull('used_at').update({ used_at: t });
      return changed === 1 ? Number(row.account_id) : undefined;
    },

    /** The account a usable (unused, unexpired) token belongs to. */
    async tokenAccount(digest: string, purpose: TokenPurpose, db: Db = knex): Promise<number | undefined> {
      const row = await db('account_tokens').select('account_id').where({ token_hash: digest, purpose }).whereNull('used_at').where('expires_at', '>', now()).first();
      return row ? Number(row.account_id) : undefined;
    },

    async expireTokens(accountId: number, purpose: TokenPurpose, db: Db = knex): Promise<void> {
      await db('account_tokens').where({ account_id: accountId, purpose }).whereNull('used_at').update({ used_at: now() });
    },

    async findStaffIdByEmail(email: string, db: Db = knex): Promise<number | undefined> {
      const row = await db('staff_members').select('id').where({ email: email.toLowerCase() }).first();
      return row ? Number(row.id) : undefined;
    },

    /** Staff members whose accounts hold a role granted by hand (for example the complaints officer). */
    async staffMemberIdsWithRole(role: Role, db: Db = knex): Promise<number[]> {
      const rows = await db('accounts as a')
        .join('account_roles as r', 'r.account_id', 'a.id')
        .whereNotNull('a.staff_member_id')
        .andWhere('r.role', role)
        .orderBy('a.id')
        .select('a.staff_member_id');
      return rows.map((r) => Number(r.staff_member_id));
    },

    /** Who holds a role granted by hand, with the language their e-mails are written in. */
    async holdersOfRole(role: Role, db: Db = knex): Promise<Array<{ email: string; locale: string }>> {
      const rows = await db('accounts as a').join('account_roles as r', 'r.account_id', 'a.id').where('r.role', role).orderBy('a.id').select('a.email', 'a.locale');
      return rows.map((r) => ({ email: String(r.email), locale: String(r.locale) }));
    },

    /** E-mail addresses of the accounts holding a role granted by hand. */
    async emailsWithRole(role: Role, db: Db = knex): Promise<string[]> {
      const rows = await db('accounts as a').join('account_roles as r', 'r.account_id', 'a.id').where('r.role', role).orderBy('a.id').select('a.email');
      return rows.map((r) => String(r.email));
    },

    /** Community members who can be surveyed: a verified address, and the member role. */
    async communityAudience(db: Db = knex): Promise<Array<{ email: string; locale: string }>> {
      const rows = await db('accounts as a').join('account_roles as r', 'r.account_id', 'a.id').where('r.role', 'member').whereNotNull('a.email_verified_at').orderBy('a.id').select('a.email', 'a.locale');
      return rows.map((r) => ({ email: String(r.email), locale: String(r.locale) }));
    },

    /** The account linked to a staff member, if they have one. */
    async accountIdForStaffMember(staffMemberId: number, db: Db = knex): Promise<number | undefined> {
      const row = await db('accounts').select('id').where({ staff_member_id: staffMemberId }).first();
      return row ? Number(row.id) : undefined;
    },

    /** Ends every stored session of an account (after a password reset). */
    async deleteSessionsOf(accountId: number, db: Db = knex): Promise<void> {
      await db('sessions').where('sess', 'like', `%"passport":{"user":${Number(accountId)}}%`).delete();
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
