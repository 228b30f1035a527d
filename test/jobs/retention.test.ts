import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { SessionData } from 'express-session';
import { DEVICE_TTL_MS } from '../../server/features/accounts';
import { HEARTBEAT_RETENTION_MS, OUTBOX_RETENTION_MS } from '../../server/jobs/retention';
import { manualClock, useTestApp } from '../helpers/app';
import { factories } from '../factories';

const HOUR = 3_600_000;

describe('the retention sweep', () => {
  const clock = manualClock(Date.now());
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  const sweep = () => context.app.retentionSweep.runOnce();

  it('when sessions have passed their expiry, then the sweep deletes them and keeps the live ones', async () => {
    // Written by the store the app uses, in the format it uses on this database.
    const store = new ConnectSessionKnexStore({ knex: knex(), tableName: 'sessions', createTable: false, cleanupInterval: 0 });
    const session = (maxAge: number) => ({ cookie: { maxAge, originalMaxAge: maxAge, httpOnly: true, path: '/' } }) as unknown as SessionData;
    await store.set('ends-in-one-hour', session(HOUR));
    await store.set('ends-in-eight-hours', session(8 * HOUR));
    clock.advance(2 * HOUR);
    expect((await sweep()).sessions).toBe(1);
    const left = (await knex()('sessions').select('sid')).map((r) => r.sid);
    expect(left).toContain('ends-in-eight-hours');
    expect(left).not.toContain('ends-in-one-hour');
  });

  it('when account tokens are used or expired, then the sweep deletes them and keeps the usable ones', async () => {
    const account = await factories(knex()).account();
    const token = (name: string, fields: { expires_at: number; used_at?: number }) =>
      knex()('account_tokens').insert({ account_id: account.id, purpose: 'reset', token_hash: name.padEnd(64, '0'), created_at: clock.now(), ...fields });
    await token('used', { expires_at: clock.now() + HOUR, used_at: clock.now() });
    await token('expired', { expires_at: clock.now() - 1 });
    await token('usable', { expires_at: clock.now() + HOUR });
    expect((await sweep()).accountTokens).toBe(2);
    expect((await knex()('account_tokens').select('token_hash')).map((r) => r.token_hash)).toEqual(['usable'.padEnd(64, '0')]);
  });

  it('when a browser has not signed in for longer than devices are trusted, then the sweep forgets it', async () => {
    const account = await factories(knex()).account();
    const device = (hash: string, lastUsedAt: number) => ({ account_id: account.id, token_hash: hash.padEnd(64, '0'), created_at: lastUsedAt, last_used_at: lastUsedAt });
    await knex()('sign_in_devices').insert([device('stale', clock.now() - DEVICE_TTL_MS - 1), device('recent', clock.now() - DEVICE_TTL_MS + HOUR)]);
    expect((await sweep()).signInDevices).toBe(1);
    expect((await knex()('sign_in_devices').select('token_hash')).map((r) => r.token_hash)).toEqual(['recent'.padEnd(64, '0')]);
  });

  it('when failed sign-in counters are past their window, then the sweep deletes them', async () => {
    await knex()('sign_in_counters').insert([
      { counter_key: 'account:over', attempts: 4, window_ends_at: clock.now() },
      { counter_key: 'account:running', attempts: 1, window_ends_at: clock.now() + HOUR },
    ]);
    expect((await sweep()).signInCounters).toBe(1);
    expect((await knex()('sign_in_counters').select('counter_key')).map((r) => r.counter_key)).toEqual(['account:running']);
  });

  it('when rate-limit counters are past their window, then the sweep deletes them, more than one batch too', async () => {
    const over = Array.from({ length: 600 }, (_, i) => ({ key: `email_requests:over-${i}`, points: 3, expire: clock.now() - 1 }));
    await knex().batchInsert('rate_limits', [...over, { key: 'signin_account:running', points: 1, expire: clock.now() + HOUR }], 200);
    expect((await sweep()).rateLimits).toBe(600);
    expect((await knex()('rate_limits').select('key')).map((r) => r.key)).toEqual(['signin_account:running']);
  });

  it('when a sent or failed e-mail is older than the outbox retention, then its row goes; pending ones stay', async () => {
    const message = (subject: string, status: string, createdAt: number) => ({ to_address: '', subject, body_text: '', template: 'test', status, next_attempt_at: createdAt, created_at: createdAt });
    const old = clock.now() - OUTBOX_RETENTION_MS - 1;
    await knex()('outbox_messages').insert([message('old sent', 'sent', old), message('old failed', 'failed', old), message('old pending', 'pending', old), message('recent sent', 'sent', clock.now())]);
    expect((await sweep()).outbox).toBe(2);
    expect((await knex()('outbox_messages').select('subject').orderBy('subject')).map((r) => r.subject)).toEqual(['old pending', 'recent sent']);
  });

  it('when a process last ran a job more than a week ago, then its heartbeat goes; a recent one, even of the same process, stays', async () => {
    const beat = (job: string, process: string, at: number) => ({ job, process, interval_ms: 1000, last_started_at: at });
    const old = clock.now() - HEARTBEAT_RETENTION_MS - 1;
    await knex()('job_heartbeats').insert([beat('outbox', 'gone:1', old), beat('surveys', 'gone:1', old), beat('outbox', 'live:2', old), beat('surveys', 'live:2', clock.now())]);
    expect((await sweep()).jobHeartbeats).toBe(3);
    expect(await knex()('job_heartbeats').select('job', 'process')).toEqual([{ job: 'surveys', process: 'live:2' }]);
  });

  it('when nothing is due, then a second run deletes nothing', async () => {
    expect(await sweep()).toEqual({ exports: 0, sessions: 0, accountTokens: 0, signInDevices: 0, signInCounters: 0, rateLimits: 0, outbox: 0, jobHeartbeats: 0 });
  });
});
