import { signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';

// On Galera a submission can fail certification at commit, reported as a deadlock (errno 1213).
// A trigger makes the first insert fail that way; its counter is an Aria table, which a rollback
// does not undo. SQLite has no such error, so this runs in the MariaDB pass only (jest.config.js).
describe('feedback: a submission that loses a conflict', () => {
  const context = useTestApp({ smtp: true });
  const knex = () => context.database.db.knex;

  beforeAll(async () => {
    await knex().raw('CREATE TABLE conflicts_to_inject (id INT PRIMARY KEY, remaining INT NOT NULL) ENGINE=Aria');
    await knex().raw(`CREATE TRIGGER inject_conflict BEFORE INSERT ON feedback_items FOR EACH ROW
      BEGIN
        IF (SELECT remaining FROM conflicts_to_inject WHERE id = 1) > 0 THEN
          UPDATE conflicts_to_inject SET remaining = remaining - 1 WHERE id = 1;
          SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction';
        END IF;
      END`);
  });

  const injectConflicts = (n: number) => knex().raw('REPLACE INTO conflicts_to_inject (id, remaining) VALUES (1, ?)', [n]);

  it('when the first attempt fails with a deadlock, then it is run again: the item is stored once and its e-mail enqueued once', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    await injectConflicts(1);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Stored after a retry.' });
    expect(res.status).toBe(200);
    const reference = referenceFrom(res.text);
    expect(await knex()('feedback_items').where({ comment: 'Stored after a retry.' }).pluck('reference')).toEqual([reference]);
    expect(await knex()('outbox_messages').where({ template: 'feedback-received' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await knex()('conflicts_to_inject').where({ id: 1 }).first()).toMatchObject({ remaining: 0 });
  });

  it('when every attempt loses, then the retries stop and nothing is stored', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    await injectConflicts(100);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Never stored.' });
    expect(res.status).toBe(500);
    expect(await knex()('feedback_items').where({ comment: 'Never stored.' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    // Five attempts (CONFLICT_ATTEMPTS), then the error reaches the request.
    expect(await knex()('conflicts_to_inject').where({ id: 1 }).first()).toMatchObject({ remaining: 95 });
    await injectConflicts(0);
  });
});
