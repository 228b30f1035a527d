import type { Knex } from 'knex';
import { signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

describe("the inbox's query plans", () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;

  /** The plan chosen: SQLite's steps; MariaDB's index per table and its extra work (a filesort, a temporary table). */
  async function plan(sql: string, bindings: Knex.RawBinding[]): Promise<string> {
    if (context.database.db.dialect === 'mysql') {
      const [rows] = await knex().raw(`explain ${sql}`, bindings);
      return (rows as Array<{ table: string; key: string | null; Extra: string | null }>).map((r) => `${r.table} key ${r.key} ${r.Extra ?? ''}`).join(' | ');
    }
    return (await knex().raw(`explain query plan ${sql}`, bindings)).map((r: { detail: string }) => r.detail).join(' | ');
  }

  it('when a manager opens their inbox, filtered or not, then its page is found in list order by an inbox index, with no sort, and what it counts is read from an index alone', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    for (let i = 0; i < 3; i++) await submitFeedback(member, org.staff.staffMemberId, { comment: `Planned ${i}` });
    const manager = await signedIn(context.app, org.manager);
    const sqlite = context.database.db.dialect === 'sqlite';
    const variants: Array<[string, string]> = [
      ['/inbox', 'routed_items_inbox_day'],
      ['/inbox?status=received', 'routed_items_inbox_status_day'],
      [`/inbox?staff=${org.staff.staffMemberId}`, 'routed_items_inbox_subject_day'],
    ];
    for (const [path, index] of variants) {
      const { statements, bindings } = await statementsOf(knex(), () => manager.get(path).expect(200));
      const inboxReads = statements.flatMap((sql, i) => (/from `routed_items`/.test(sql) && sql.includes('recipient_staff_member_id` = ?') ? [{ sql, bindings: bindings[i]! }] : []));
      expect(inboxReads.length).toBeGreaterThanOrEqual(3);
      for (const read of inboxReads) {
        // Never a scan of every routed item: the recipient's rows are found by an index.
        const found = sqlite ? /SEARCH (r|routed_items) (EXISTS )?USING (COVERING )?INDEX routed_items_(inbox_\w+|recipient_visible|recipient_staff_member_id_status_index)/ : /routed_items_(inbox_\w+|recipient_visible|recipient_staff_member_id_status_index)/;
        expect({ sql: read.sql, plan: await plan(read.sql, read.bindings) }).toEqual({ sql: read.sql, plan: expect.stringMatching(found) });
      }
      const page = inboxReads.find((r) => r.sql.includes('as `page`'))!;
      const pagePlan = await plan(page.sql, page.bindings);
      expect(pagePlan).toContain(index);
      // SQLite: the page's ids come in index order (the only sort is of the page's twenty rows, after them).
      if (!sqlite) expect(pagePlan).toMatch(new RegExp(`\\| r key ${index} Using where; Using index$`));
      if (sqlite) expect(pagePlan).toMatch(new RegExp(`^CO-ROUTINE page \\| SEARCH r USING INDEX ${index} \\([^)]*\\) \\| SCAN page`));
      // The per-status counts are kept (inbox_counts); only the items still held back are counted,
      // to be taken off them, and with a subject its own count.
      const counts = inboxReads.filter((r) => r.sql.includes('count(*)'));
      const bySubject = path.includes('staff=');
      expect(counts).toHaveLength(bySubject ? 2 : 1);
      for (const [n, count] of counts.entries()) {
        const countIndex = bySubject && n === 1 ? 'routed_items_inbox_subject_day' : 'routed_items_recipient_visible';
        expect(await plan(count.sql, count.bindings)).toContain(sqlite ? `COVERING INDEX ${countIndex}` : countIndex);
      }
    }
  });
});
