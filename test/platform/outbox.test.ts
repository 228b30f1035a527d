import { createTestApp, manualClock, type TestApp } from '../helpers/app';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/database';
import { startSmtpServer, type TestSmtpServer } from '../helpers/mail';
import { createOutbox, MAX_ATTEMPTS } from '../../server/platform/mail/outbox';
import { createOutboxSender } from '../../server/jobs/outbox-sender';
import { createLogger } from '../../server/platform/logger';
import { createDatabase } from '../../server/platform/db';

const email = (n: number) => ({ to: `person${n}@example.test`, template: 'test', subject: `Message ${n}`, text: `Body ${n}\n`, html: `<p>Body ${n}</p>` });

describe('the e-mail outbox', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let app: TestApp;
  const clock = manualClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtpServer();
    app = await createTestApp({ db: database.db, clock, mailTransport: smtp.transport });
  });
  afterAll(async () => {
    await smtp.close();
    await database.destroy();
  });
  beforeEach(async () => {
    await database.db.knex('outbox_messages').delete();
    smtp.received.length = 0;
    smtp.up();
  });

  it('when the change that writes an e-mail is rolled back, then the e-mail is gone with it', async () => {
    const outbox = app.services.outbox;
    await database.db.knex
      .transaction(async (trx) => {
        await outbox.enqueue(trx, email(1));
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    expect(await outbox.countByStatus()).toEqual({});
  });

  it('when SMTP is down and then up, then each message is delivered exactly once', async () => {
    const outbox = app.services.outbox;
    await database.db.knex.transaction(async (trx) => {
      for (let n = 1; n <= 3; n++) await outbox.enqueue(trx, email(n));
    });

    smtp.down();
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 3, failed: 0 });
    expect(smtp.received).toHaveLength(0);
    // Not due yet: backing off.
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });

    smtp.up();
    clock.advance(31_000);
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 3, retried: 0, failed: 0 });
    clock.advance(3_600_000);
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });

    expect(smtp.received.map((m) => m.subject).sort()).toEqual(['Message 1', 'Message 2', 'Message 3']);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(3);
    expect(await outbox.countByStatus()).toEqual({ sent: 3 });
    // The warning names the row, not the recipient.
    expect(app.logLines.join('')).not.toContain('person1@example.test');
  });

  it('when a message is sent, then its body (which may hold a single-use link) is not kept', async () => {
    await app.services.outbox.enqueue(database.db.knex, email(7));
    expect(await app.outboxSender.runOnce()).toMatchObject({ sent: 1 });
    const row = await database.db.knex('outbox_messages').where({ subject: 'Message 7' }).first();
    expect(row.body_text).toBe('');
    expect(row.body_html).toBeNull();
    expect(smtp.received[0]!.text).toContain('Body 7');
  });

  it('when the server refuses a message for good (5xx), then it is given up at once and its body dropped', async () => {
    await app.services.outbox.enqueue(database.db.knex, email(8));
    smtp.down(550);
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    const row = await database.db.knex('outbox_messages').where({ subject: 'Message 8' }).first();
    expect(row.status).toBe('failed');
    expect(row.body_text).toBe('');
  });

  it('when temporary failures go on for the whole retry period, then the message is given up after the last attempt', async () => {
    await app.services.outbox.enqueue(database.db.knex, email(9));
    smtp.down(421);
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    await database.db.knex('outbox_messages').where({ subject: 'Message 9' }).update({ attempts: MAX_ATTEMPTS - 1 });
    clock.advance(3_600_000);
    expect(await app.outboxSender.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await app.services.outbox.countByStatus()).toEqual({ failed: 1 });
  });

  it('when two processes run the sender at once, then they claim disjoint messages and none is sent twice', async () => {
    const outbox = app.services.outbox;
    for (let n = 1; n <= 40; n++) await outbox.enqueue(database.db.knex, email(n));
    // A second "process": its own connection pool, outbox and sender on the same database.
    const second = createDatabase(database.config);
    try {
      const logger = createLogger('silent');
      const otherSender = createOutboxSender({ outbox: createOutbox(second.knex, second.dialect, clock), transport: smtp.transport, logger, clock, from: 'a@b.test', messageIdDomain: 'test', batchSize: 5 });
      const firstSender = createOutboxSender({ outbox, transport: smtp.transport, logger, clock, from: 'a@b.test', messageIdDomain: 'test', batchSize: 5 });
      const drain = async (sender: typeof firstSender) => {
        let total = 0;
        for (let i = 0; i < 20; i++) total += (await sender.runOnce()).sent;
        return total;
      };
      const [a, b] = await Promise.all([drain(firstSender), drain(otherSender)]);
      expect(a + b).toBe(40);
      if (testDialect === 'mysql') {
        // With SKIP LOCKED both workers make progress side by side.
        expect(a).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(0);
      }
    } finally {
      await second.close();
    }
    const subjects = smtp.received.map((m) => m.subject);
    expect(subjects).toHaveLength(40);
    expect(new Set(subjects).size).toBe(40);
  });
});
