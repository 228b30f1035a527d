import type { Knex } from 'knex';
import { signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

describe("the inbox's query plans", () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;

  /** SQLite: the plan chosen. MariaDB: the indexes the planner may use (on a table this small it may still scan). */
  async function plan(sql: string, bindings: Knex.RawBinding[]): Promise<string> {
    if (context.database.db.dialect === 'mysql') {
      const [rows] = await knex().raw(`explain ${sql}`, bindings);
      return (rows as Array<{ possible_keys: string | null }>).map((r) => `possible ${r.possible_keys}`).join(' | ');
    }
    return (await knex().raw(`explain query plan ${sql}`, bindings)).map((r: { detail: string }) => r.detail).join(' | ');
  }

  it('when a manager opens their inbox, filtered or not, then its page is found by an index on the recipient and its counts can read the inbox index alone', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    for (let i = 0; i < 3; i++) await submitFeedback(member, org.staff.staffMemberId, { comment: `Planned ${i}` });
    const manager = await signedIn(context.app, org.manager);
    const sqlite = context.database.db.dialect === 'sqlite';
    for (const path of ['/inbox', '/inbox?status=received']) {
      const { statements, bindings } = await statementsOf(knex(), () => manager.get(path).expect(200));
      const inboxReads = statements.flatMap((sql, i) => (/from `routed_items`/.test(sql) && sql.includes('`recipient_staff_member_id` = ?') ? [{ sql, bindings: bindings[i]! }] : []));
      expect(inboxReads.length).toBeGreaterThanOrEqual(3);
      for (const read of inboxReads) {
        // Never a scan of every routed item: the recipient's rows are found by an index.
        const found = sqlite ? /SEARCH (r|routed_items) USING (COVERING )?INDEX routed_items_(inbox|recipient_staff_member_id_status)_index/ : /routed_items_(inbox|recipient_staff_member_id_status)_index/;
        expect({ sql: read.sql, plan: await plan(read.sql, read.bindings) }).toEqual({ sql: read.sql, plan: expect.stringMatching(found) });
      }
      const counts = inboxReads.filter((r) => r.sql.includes('count(*)'));
      expect(counts.length).toBeGreaterThanOrEqual(2);
      for (const count of counts) expect(await plan(count.sql, count.bindings)).toContain(sqlite ? 'COVERING INDEX routed_items_inbox_index' : 'routed_items_inbox_index');
    }
  });
});
