import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import type { Clock } from '../../platform/clock';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { MINIMUM_GROUP_SIZE_FLOOR, type GroupRule } from '../../platform/privacy/aggregates';
import { DAY_MS, startOfDay } from '../../platform/privacy/times';
import { addBusinessDays, addBusinessHours, addBusinessMs, addCalendarDays, businessMsBetween, type BusinessCalendar } from './business-clock';
import { bumpReferenceVersion, createReferenceCache } from '../../platform/db/reference-cache';
import { servicesInForce, type ServiceLevelsRepository } from './service-levels.repository';
import { measure, WINDOW_DAYS, type ServicePerformance } from './performance';
import type { DueTimes, Service, ServiceInput, ServiceLevelTarget, TargetInput, TargetUnit } from './service-levels.schema';

/** The moment `amount` of `unit` after `start`, under a service's calendar. */
export function dueAfter(start: number, amount: number, unit: TargetUnit, calendar: BusinessCalendar): number {
  switch (unit) {
    case 'business_hours':
      return addBusinessHours(start, amount, calendar);
    case 'business_days':
      return addBusinessDays(start, amount, calendar);
    case 'calendar_days':
      return addCalendarDays(start, amount, calendar.zone);
  }
}

/** A due time moved on by a pause: by the working time paused, or by the calendar time for calendar targets. */
export function extendByPause(due: number, pause: { start: number; end: number }, unit: TargetUnit, calendar: BusinessCalendar): number {
  if (unit === 'calendar_days') return due + (pause.end - pause.start);
  return addBusinessMs(due, businessMsBetween(pause.start, pause.end, calendar), calendar);
}

/** The public figures as a job last computed them: each active service's performance, by service id. */
export interface PublishedPerformance {
  readonly computedAt: number;
  readonly byService: Readonly<Record<string, ServicePerformance>>;
}

/** How long a process serves the published figures it read before reading them again (the job runs every few minutes). */
export const PUBLISHED_CACHE_MS = 10_000;
const NOTHING_MEASURED: ServicePerformance = { received: 0, figures: null };

export function createServiceLevelsService(deps: { knex: Knex; repository: ServiceLevelsRepository; audit: AuditLog; clock: Clock; minimumGroupSize: number }) {
  const { knex, repository, audit, clock } = deps;
  const rule: GroupRule = { minimumGroupSize: deps.minimumGroupSize };
  // Stored per minimum in force, so figures computed under one minimum are never served under another.
  const PUBLIC_REPORT = `service-levels:minimum-${Math.max(deps.minimumGroupSize, MINIMUM_GROUP_SIZE_FLOOR)}`;
  let published: { readAt: number; value: PublishedPerformance } | undefined;
  let computing: Promise<PublishedPerformance> | undefined;
  // Read on every submission (due times): cached per process, checked against its version row.
  const catalogue = createReferenceCache(knex, 'service-catalogue', (db) => repository.catalogue(db));
  const servicesAt = async (now: number, db?: Knex | Knex.Transaction) => servicesInForce(await catalogue(db), now);

  /** Every active service's figures over the last 90 days: the costly part of the public page, run by a job only. */
  async function computePublicFigures(now: number): Promise<PublishedPerformance> {
    const services = (await servicesAt(now)).filter((s) => s.active);
    // The window starts at a day's start, so an item leaves the figures at a midnight, not at the
    // moment 90 days after it was sent.
    const items = await repository.measuredItems(startOfDay(now - WINDOW_DAYS * DAY_MS), now);
    const byService: Record<string, ServicePerformance> = {};
    for (const service of services) byService[String(service.id)] = measure(items.filter((i) => i.serviceId === service.id), service.calendar, now, rule);
    return { computedAt: now, byService };
  }

  /** Computes and stores the public figures; concurrent calls in one process share one run. */
  function refreshPublicFigures(): Promise<PublishedPerformance> {
    computing ??= (async () => {
      const value = await computePublicFigures(clock.now());
      await repository.storePublishedFigures(PUBLIC_REPORT, value.computedAt, value.byService);
      published = { readAt: clock.now(), value };
      return value;
    })().finally(() => (computing = undefined));
    return computing;
  }

  /** The stored figures, read once per PUBLISHED_CACHE_MS; computed here only before the job's first run. */
  async function publishedPerformance(): Promise<PublishedPerformance> {
    const now = clock.now();
    if (published && now - published.readAt < PUBLISHED_CACHE_MS) return published.value;
    const stored = await repository.publishedFigures<Record<string, ServicePerformance>>(PUBLIC_REPORT);
    if (!stored) return refreshPublicFigures();
    published = { readAt: now, value: { computedAt: stored.computedAt, byService: stored.body } };
    return published.value;
  }

  async function service(code: string, db: Knex | Knex.Transaction = knex): Promise<Service> {
    const found = (await servicesAt(clock.now(), db)).find((s) => s.code === code);
    if (!found) throw new NotFoundError();
    return found;
  }

  return {
    listServices: () => servicesAt(clock.now()),

    /**
     * The public page: every active service and its target as they are now, with the figures the
     * job last published (a service added since shows none yet).
     */
    async publicReport(): Promise<{ computedAt: number; services: Array<{ service: Service; performance: ServicePerformance }> }> {
      const [services, figures] = await Promise.all([servicesAt(clock.now()), publishedPerformance()]);
      return {
        computedAt: figures.computedAt,
        services: services.filter((s) => s.active).map((service) => ({ service, performance: figures.byService[String(service.id)] ?? NOTHING_MEASURED })),
      };
    },
    refreshPublicFigures,
    /** Fewer items than this in the window, and a service shows its count only. */
    minimumItemsForFigures: Math.max(deps.minimumGroupSize, MINIMUM_GROUP_SIZE_FLOOR),
    targetHistory: (serviceId: number) => repository.targetHistory(serviceId),
    calendarOf: async (code: string, db?: Knex | Knex.Transaction) => (await service(code, db)).calendar,

    /** Due times for an item received now, from the target in force now (later changes do not touch it). */
    async dueTimesFor(code: string, receivedAt: number, db?: Knex | Knex.Transaction): Promise<DueTimes> {
      const { target, calendar } = await service(code, db);
      return {
        serviceLevelTargetId: target.id,
        acknowledgeDueAt: dueAfter(receivedAt, target.acknowledgeAmount, target.acknowledgeUnit, calendar),
        respondDueAt: dueAfter(receivedAt, target.respondAmount, target.respondUnit, calendar),
      };
    },

    escalationSteps: (code: string) => repository.escalationSteps(code),
    findTarget: (id: number, db?: Knex | Knex.Transaction): Promise<ServiceLevelTarget | undefined> => repository.findTarget(id, db),

    async addService(actor: Actor, input: ServiceInput & TargetInput & { code: string }): Promise<number> {
      return knex.transaction(async (trx) => {
        if ((await repository.catalogue(trx)).services.some((s) => s.code === input.code)) throw new ValidationError({ code: 'serviceLevels.errors.codeTaken' });
        // A new service is published at once; it can be withdrawn by editing it.
        const id = await repository.insertService({ code: input.code, name: input.name, owner: input.owner, expectation: input.expectation, active: true }, clock.now(), trx);
        // The first target counts from the beginning, so the new service can take items at once.
        await repository.insertTarget(id, input, 0, actor.accountId, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.service.create', subjectType: 'service', subjectId: id }, trx);
        await bumpReferenceVersion(trx, 'service-catalogue');
        return id;
      });
    },

    async updateService(actor: Actor, id: number, input: ServiceInput): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await repository.updateService(id, input, trx))) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.service.update', subjectType: 'service', subjectId: id }, trx);
        await bumpReferenceVersion(trx, 'service-catalogue');
      });
    },

    holidays: (calendarId: number) => repository.holidays(calendarId),

    async addHoliday(actor: Actor, calendarId: number, date: string, name: string): Promise<void> {
      await knex.transaction(async (trx) => {
        await repository.addHoliday(calendarId, date, name, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.holiday.add', subjectType: 'service_calendar', subjectId: calendarId, detail: { date } }, trx);
        await bumpReferenceVersion(trx, 'service-catalogue');
      });
    },

    async removeHoliday(actor: Actor, calendarId: number, date: string): Promise<void> {
      await knex.transaction(async (trx) => {
        await repository.removeHoliday(calendarId, date, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.holiday.remove', subjectType: 'service_calendar', subjectId: calendarId, detail: { date } }, trx);
        await bumpReferenceVersion(trx, 'service-catalogue');
      });
    },

    async addEscalationStep(actor: Actor, serviceId: number, step: { due: string; offsetMinutes: number; target: string }): Promise<void> {
      await knex.transaction(async (trx) => {
        await repository.addEscalationStep(serviceId, step, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.escalation.add', subjectType: 'service', subjectId: serviceId, detail: step }, trx);
      });
    },

    async removeEscalationStep(actor: Actor, stepId: number): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await repository.removeEscalationStep(stepId, trx))) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.escalation.remove', subjectType: 'escalation_step', subjectId: stepId }, trx);
      });
    },

    /** A new target from now on; items already received keep the one they were given. */
    async changeTarget(actor: Actor, serviceId: number, input: TargetInput): Promise<void> {
      await knex.transaction(async (trx) => {
        if ((await repository.targetHistory(serviceId, trx)).length === 0) throw new NotFoundError();
        const id = await repository.insertTarget(serviceId, input, clock.now(), actor.accountId, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'service-levels.target.change', subjectType: 'service', subjectId: serviceId, detail: { targetId: id, ...input } }, trx);
        await bumpReferenceVersion(trx, 'service-catalogue');
      });
    },
  };
}

export type ServiceLevelsService = ReturnType<typeof createServiceLevelsService>;
