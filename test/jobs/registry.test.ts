import { createHeartbeats, STALE_AFTER_INTERVALS } from '../../server/jobs/heartbeats';
import { createJobRegistry } from '../../server/jobs/registry';
import { createLogger } from '../../server/platform/logger';
import { manualClock } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const MINUTE = 60_000;

describe('the job registry and its heartbeats', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.destroy());
  beforeEach(() => database.db.knex('job_heartbeats').delete());

  const setUp = (process = 'web-1:100') => {
    const clock = manualClock();
    const heartbeats = createHeartbeats({ knex: database.db.knex, clock, process });
    const registry = createJobRegistry({ heartbeats, logger: createLogger('silent') });
    return { clock, heartbeats, registry };
  };

  it('when a job is registered twice under one name, then the registry refuses', () => {
    const { registry } = setUp();
    registry.register('outbox', MINUTE, async () => undefined);
    expect(() => registry.register('outbox', MINUTE, async () => undefined)).toThrow(/registered twice/);
    expect(registry.list()).toEqual([{ name: 'outbox', intervalMs: MINUTE }]);
  });

  it('when a job registers after the jobs started, then the registry refuses (it would never run)', async () => {
    const { registry } = setUp();
    registry.register('outbox', 0, async () => undefined);
    registry.startAll();
    expect(() => registry.register('late', MINUTE, async () => undefined)).toThrow(/after the jobs started/);
    await registry.stopAll();
  });

  it('when no process has run a job, then its health has no heartbeat and says it is stale; a job switched off is never stale', async () => {
    const { registry } = setUp();
    registry.register('outbox', MINUTE, async () => undefined);
    registry.register('retention', 0, async () => undefined);
    expect(await registry.health()).toEqual([
      { job: 'outbox', intervalMs: MINUTE, stale: true, lastHeartbeat: null },
      { job: 'retention', intervalMs: 0, stale: false, lastHeartbeat: null },
    ]);
  });

  it('when a job runs, then its heartbeat records the process, start, finish and success, and goes stale only after a few intervals without one', async () => {
    const { clock, registry } = setUp();
    let runs = 0;
    registry.register('outbox', MINUTE, async () => void runs++);
    const startedAt = new Date(clock.now()).toISOString();
    await registry.runOnce('outbox');
    expect(runs).toBe(1);
    expect(await registry.health()).toEqual([
      { job: 'outbox', intervalMs: MINUTE, stale: false, lastHeartbeat: { process: 'web-1:100', startedAt, finishedAt: startedAt, succeededAt: startedAt, error: null } },
    ]);
    clock.advance(STALE_AFTER_INTERVALS * MINUTE);
    expect((await registry.health())[0]!.stale).toBe(false);
    clock.advance(1);
    expect((await registry.health())[0]!.stale).toBe(true);
    await registry.runOnce('outbox');
    expect((await registry.health())[0]).toMatchObject({ stale: false, lastHeartbeat: { startedAt: new Date(clock.now()).toISOString() } });
  });

  it('when a run outlasts a few intervals, then its health counts from when it finished, not when it started', async () => {
    const { clock, heartbeats, registry } = setUp();
    registry.register('retention', MINUTE, async () => undefined);
    await heartbeats.started('retention', MINUTE);
    clock.advance(10 * MINUTE);
    expect((await registry.health())[0]!.stale).toBe(true);
    await heartbeats.finished('retention');
    expect((await registry.health())[0]!.stale).toBe(false);
  });

  it('when a run fails, then the heartbeat keeps the last success and records the error class only, never its message', async () => {
    const { clock, registry } = setUp();
    let fail = false;
    registry.register('outbox', MINUTE, async () => {
      if (fail) throw new TypeError('could not reach ana.lopez@community.example');
    });
    const succeededAt = new Date(clock.now()).toISOString();
    await registry.runOnce('outbox');
    clock.advance(MINUTE);
    fail = true;
    await expect(registry.runOnce('outbox')).rejects.toThrow(TypeError);
    const [health] = await registry.health();
    expect(health!.lastHeartbeat).toEqual({ process: 'web-1:100', startedAt: new Date(clock.now()).toISOString(), finishedAt: new Date(clock.now()).toISOString(), succeededAt, error: 'TypeError' });
    expect(JSON.stringify(await database.db.knex('job_heartbeats').select('*'))).not.toContain('ana.lopez');
  });

  it('when another process ran the job more recently, then health shows that process\'s heartbeat and its interval', async () => {
    const web = setUp('web-1:100');
    web.registry.register('surveys', MINUTE, async () => undefined);
    const worker = setUp('worker-1:200');
    worker.clock.advance(10 * MINUTE);
    await worker.heartbeats.started('surveys', 5 * MINUTE);
    await worker.heartbeats.finished('surveys');
    web.clock.advance(10 * MINUTE + 5 * STALE_AFTER_INTERVALS * MINUTE);
    // Judged by the worker's five-minute interval, not the web process's one minute.
    expect(await web.registry.health()).toEqual([
      { job: 'surveys', intervalMs: 5 * MINUTE, stale: false, lastHeartbeat: expect.objectContaining({ process: 'worker-1:200' }) },
    ]);
  });

  it('when the registry starts its jobs, then their timers run them with heartbeats, and stopping waits for the run in flight', async () => {
    const { registry, heartbeats } = setUp();
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    let ran = false;
    registry.register('outbox', 5, async () => {
      await running;
      ran = true;
    });
    registry.startAll();
    // Wait for the timer's first run to be under way (its start heartbeat is written).
    while (!(await heartbeats.latest()).has('outbox')) await new Promise((r) => setImmediate(r));
    const stopped = registry.stopAll();
    release();
    await stopped;
    expect(ran).toBe(true);
    expect((await heartbeats.latest()).get('outbox')).toMatchObject({ lastSucceededAt: expect.any(Number) });
  });
});
