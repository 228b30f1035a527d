import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/**
 * The only module that reads or writes feedback_identities. Code that renders items for recipients
 * gets a name from here only for a named item; confidential identities leave only through
 * `reveal`, which the service records with a reason. Anonymous items have no row at all.
 */
export function createIdentityRepository(knex: Knex) {
  /** Submitters' names of the named items among these, by item id: one read however many items. */
  async function namedSubmitters(feedbackItemIds: readonly number[], db: Db = knex): Promise<Map<number, { displayName: string }>> {
    if (feedbackItemIds.length === 0) return new Map();
    const rows = await db('feedback_identities as i')
      .join('feedback_items as f', 'f.id', 'i.feedback_item_id')
      .whereIn('i.feedback_item_id', feedbackItemIds)
      .andWhere('f.attribution', 'named')
      .select('i.feedback_item_id', 'i.display_name');
    return new Map(rows.map((r) => [Number(r.feedback_item_id), { displayName: String(r.display_name) }]));
  }

  return {
    async insert(feedbackItemId: number, submitter: { accountId: number; displayName: string; email: string }, db: Db): Promise<void> {
      await db('feedback_identities').insert({ feedback_item_id: feedbackItemId, account_id: submitter.accountId, display_name: submitter.displayName, email: submitter.email });
    },

    async namedSubmitter(feedbackItemId: number, db: Db = knex): Promise<{ displayName: string } | undefined> {
      return (await namedSubmitters([feedbackItemId], db)).get(feedbackItemId);
    },

    namedSubmitters,

    /** For e-mailing the submitter; the address goes to the outbox, never to a page. */
    async contact(feedbackItemId: number, db: Db = knex): Promise<{ email: string; locale: string } | undefined> {
      const row = await db('feedback_identities as i').leftJoin('accounts as a', 'a.id', 'i.account_id').where('i.feedback_item_id', feedbackItemId).select('i.email', 'a.locale').first();
      return row ? { email: String(row.email), locale: String(row.locale ?? 'en') } : undefined;
    },

    async itemIdsSubmittedBy(accountId: number, db: Db = knex): Promise<number[]> {
      const rows = await db('feedback_identities').select('feedback_item_id').where({ account_id: accountId }).orderBy('feedback_item_id', 'desc');
      return rows.map((r) => Number(r.feedback_item_id));
    },

    async isSubmitter(accountId: number, feedbackItemId: number, db: Db = knex): Promise<boolean> {
      return !!(await db('feedback_identities').select('feedback_item_id').where({ account_id: accountId, feedback_item_id: feedbackItemId }).first());
    },

    /**
     * The accounts that gave named feedback about a staff member (for a manager choosing whom to ask
     * for input); with `recipient`, only among the items routed to that staff member. Confidential
     * and anonymous items are never read here.
     */
    async namedSubmittersAbout(staffMemberId: number, recipient: number | null, db: Db = knex): Promise<Array<{ email: string; displayName: string }>> {
      let query = db('feedback_identities as i')
        .join('feedback_items as f', 'f.id', 'i.feedback_item_id')
        .join('accounts as a', 'a.id', 'i.account_id')
        .where({ 'f.staff_member_id': staffMemberId, 'f.attribution': 'named' });
      if (recipient !== null) query = query.whereExists((q) => q.select(db.raw('1')).from('routed_items as r').whereRaw('r.feedback_item_id = f.id').andWhere('r.recipient_staff_member_id', recipient));
      const rows = await query.distinct('a.email', 'a.display_name').orderBy('a.display_name');
      return rows.map((r) => ({ email: String(r.email), displayName: String(r.display_name) }));
    },

    /** A confidential item's submitter, for HR or the complaints officer after a recorded reason. */
    async reveal(feedbackItemId: number, db: Db = knex): Promise<{ displayName: string; email: string } | undefined> {
      const row = await db('feedback_identities as i')
        .join('feedback_items as f', 'f.id', 'i.feedback_item_id')
        .where({ 'i.feedback_item_id': feedbackItemId })
        .whereIn('f.attribution', ['confidential', 'named'])
        .select('i.display_name', 'i.email')
        .first();
      return row ? { displayName: String(row.display_name), email: String(row.email) } : undefined;
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
