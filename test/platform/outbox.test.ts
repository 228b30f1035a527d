import { createTestApp, manualClock, type TestApp } from '../helpers/app';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/database';
import { startSmtpServer, type TestSmtpServer } from '../helpers/mail';
import { createOutbox, MAX_ATTEMPTS, outboxIdOf, outboxMessageId, type Outbox } from '../../server/platform/mail/outbox';
import { createOutboxSender, RECORD_DELIVERY_MS } from '../../server/jobs/outbox-sender';
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

  it('when more is due than one batch, then one run sends batch after batch until the backlog is gone or its batches are used', async () => {
    const outbox = app.services.outbox;
    for (let n = 1; n <= 25; n++) await outbox.enqueue(database.db.knex, email(n));
    const logger = createLogger('silent');
    const bounded = createOutboxSender({ outbox, transport: smtp.transport, logger, clock, from: 'a@b.test', messageIdDomain: 'test', batchSize: 5, maxBatches: 2 });
    expect(await bounded.runOnce()).toEqual({ sent: 10, retried: 0, failed: 0 });
    const draining = createOutboxSender({ outbox, transport: smtp.transport, logger, clock, from: 'a@b.test', messageIdDomain: 'test', batchSize: 5 });
    expect(await draining.runOnce()).toEqual({ sent: 15, retried: 0, failed: 0 });
    expect(new Set(smtp.received.map((m) => m.subject)).size).toBe(25);
  });

  it('when a delivery fails, then the run stops claiming: the rest wait for the next run', async () => {
    const outbox = app.services.outbox;
    for (let n = 1; n <= 12; n++) await outbox.enqueue(database.db.knex, email(n));
    smtp.down(421);
    const sender = createOutboxSender({ outbox, transport: smtp.transport, logger: createLogger('silent'), clock, from: 'a@b.test', messageIdDomain: 'test', batchSize: 5 });
    expect(await sender.runOnce()).toEqual({ sent: 0, retried: 5, failed: 0 });
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

  describe('delivery once, around crashes and outages', () => {
    const logger = createLogger('silent');
    const sender = (outbox: Outbox, pause?: (ms: number) => Promise<void>) => createOutboxSender({ outbox, transport: smtp.transport, logger, clock, from: 'a@b.test', messageIdDomain: 'accountable.test', leaseMs: 60_000, pause });

    it('when a message is sent, then its Message-ID names its outbox row, the same on every attempt', async () => {
      expect(outboxMessageId(42, 'accountable.test')).toBe('<outbox-42@accountable.test>');
      expect(outboxIdOf('<outbox-42@accountable.test>', 'accountable.test')).toBe(42);
      expect(outboxIdOf('<outbox-42@elsewhere.test>', 'accountable.test')).toBeUndefined();
      const outbox = app.services.outbox;
      await outbox.enqueue(database.db.knex, email(1));
      const [row] = await database.db.knex('outbox_messages').select('id');
      smtp.down();
      await sender(outbox).runOnce();
      smtp.up();
      clock.advance(31_000);
      await sender(outbox).runOnce();
      expect(smtp.received.map((m) => m.messageId)).toEqual([`<outbox-${row.id}@accountable.test>`]);
    });

    it('when the database fails just after the SMTP server accepted a message, then the sender keeps recording it and it is never sent again', async () => {
      const outbox = app.services.outbox;
      await outbox.enqueue(database.db.knex, email(2));
      // The real outbox, whose first two records of a delivery fail as with a database restarting.
      let failures = 2;
      const flaky: Outbox = {
        ...outbox,
        markSent: (id, token) => (failures-- > 0 ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : outbox.markSent(id, token)),
      };
      const pauses: number[] = [];
      const result = await sender(flaky, async (ms) => {
        pauses.push(ms);
        clock.advance(ms);
      }).runOnce();
      expect(result).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(pauses).toEqual([250, 500]);
      expect(await outbox.countByStatus()).toEqual({ sent: 1 });
      clock.advance(3_600_000);
      expect(await sender(outbox).runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(smtp.received).toHaveLength(1);
    });

    it('when the database stays away past the recording limit, then the run fails and the message goes again under the same Message-ID after its lease', async () => {
      const outbox = app.services.outbox;
      await outbox.enqueue(database.db.knex, email(3));
      const away: Outbox = { ...outbox, markSent: () => Promise.reject(Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' })) };
      const before = clock.now();
      await expect(sender(away, async (ms) => clock.advance(ms)).runOnce()).rejects.toThrow('gone');
      // It kept trying for the whole limit. The delivery is not counted as a failed attempt: the row keeps
      // its claim and, once the lease has ended, is sent again under the same Message-ID (a recognisable duplicate).
      expect(clock.now() - before).toBeGreaterThanOrEqual(RECORD_DELIVERY_MS);
      expect(await database.db.knex('outbox_messages').first('status', 'attempts')).toEqual({ status: 'pending', attempts: 0 });
      expect(await sender(outbox).runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(1);
      expect(smtp.received).toHaveLength(2);
    });

    it("when a sender's claim lapsed mid-batch and another process took the rest, then the first does not send those", async () => {
      const outbox = app.services.outbox;
      for (let n = 1; n <= 4; n++) await outbox.enqueue(database.db.knex, email(n));
      const other = sender(outbox);
      let sends = 0;
      let otherResult: unknown;
      // A slow server: each message takes 40 s of the 60 s lease. Each send renews its own row's claim, but
      // the rows still waiting lapse; during the second send the other process claims them and sends them.
      const slow = {
        kind: smtp.transport.kind,
        async send(message: Parameters<typeof smtp.transport.send>[0]) {
          await smtp.transport.send(message);
          clock.advance(40_000);
          if (++sends === 2) otherResult = await other.runOnce();
        },
        close: () => undefined,
      };
      const first = createOutboxSender({ outbox, transport: slow, logger, clock, from: 'a@b.test', messageIdDomain: 'accountable.test', leaseMs: 60_000 });
      expect(await first.runOnce()).toEqual({ sent: 2, retried: 0, failed: 0 });
      expect(otherResult).toEqual({ sent: 2, retried: 0, failed: 0 });
      expect(smtp.received.map((m) => m.subject).sort()).toEqual(['Message 1', 'Message 2', 'Message 3', 'Message 4']);
      expect(await outbox.countByStatus()).toEqual({ sent: 4 });
    });

    it('when a process dies between the hand-over and the record, then the message is sent again after the lease with the same Message-ID', async () => {
      // The one window no claim can close: the SMTP server has the message, the database does not know.
      const outbox = app.services.outbox;
      await outbox.enqueue(database.db.knex, email(5));
      const { messages } = await outbox.claimDue(10, 60_000);
      await smtp.transport.send({ messageId: outboxMessageId(messages[0]!.id, 'accountable.test'), from: 'a@b.test', to: messages[0]!.to, subject: messages[0]!.subject, text: messages[0]!.text, html: messages[0]!.html });
      // The process is gone; its claim holds the row until the lease ends.
      expect(await sender(outbox).runOnce()).toMatchObject({ sent: 0 });
      clock.advance(61_000);
      expect(await sender(outbox).runOnce()).toMatchObject({ sent: 1 });
      const ids = smtp.received.map((m) => m.messageId);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(1);
    });
  });
});
