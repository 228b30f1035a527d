import type { Knex } from 'knex';
import { parseJsonColumn, toBoolean, toNullableNumber } from '../../platform/db/json';
import { measuredFromOf, whereVisible, type InputAttribution } from '../../platform/privacy/times';
import type { MeasuredItem } from './performance';
import type { EscalationStep, EscalationTarget, Service, ServiceLevelTarget, TargetInput, TargetUnit } from './service-levels.schema';

type Db = Knex | Knex.Transaction;

function toTarget(row: Record<string, unknown>): ServiceLevelTarget {
  return {
    id: Number(row.id),
    serviceId: Number(row.service_id),
    acknowledgeAmount: Number(row.acknowledge_amount),
    acknowledgeUnit: row.acknowledge_unit as TargetUnit,
    respondAmount: Number(row.respond_amount),
    respondUnit: row.respond_unit as TargetUnit,
    effectiveFrom: Number(row.effective_from),
  };
}

const TARGET_COLUMNS = ['id', 'service_id', 'acknowledge_amount', 'acknowledge_unit', 'respond_amount', 'respond_unit', 'effective_from'];

/** The catalogue as stored: services without their target, and every target ever set. */
export interface ServiceCatalogue {
  readonly services: ReadonlyArray<Omit<Service, 'target'>>;
  readonly targets: readonly ServiceLevelTarget[];
}

/** Every service with the target in force at `now` (a service with none yet is left out). */
export function servicesInForce(catalogue: ServiceCatalogue, now: number): Service[] {
  return catalogue.services.flatMap((service) => {
    const target = catalogue.targets.find((t) => t.serviceId === service.id && t.effectiveFrom <= now);
    return target ? [{ ...service, target }] : [];
  });
}

export function createServiceLevelsRepository(knex: Knex) {
  return {
    /** Every service with its calendar, and every target (newest first): what servicesInForce picks from. */
    async catalogue(db: Db = knex): Promise<ServiceCatalogue> {
      const services = await db('services as s')
        .join('service_calendars as c', 'c.id', 's.calendar_id')
        .select('s.id', 's.code', 's.name', 's.owner', 's.expectation', 's.active', 'c.id as calendar_id', 'c.name as calendar_name', 'c.zone', 'c.working_days', 'c.day_start', 'c.day_end')
        .orderBy('s.id');
      const holidays = await db('calendar_holidays').select('calendar_id', 'date');
      const targets = (await db('service_level_targets').select(TARGET_COLUMNS).orderBy([{ column: 'effective_from', order: 'desc' }, { column: 'id', order: 'desc' }])).map(toTarget);
      return {
        targets,
        services: services.map((s) => ({
          id: Number(s.id),
          code: String(s.code),
          name: String(s.name),
          owner: String(s.owner),
          expectation: String(s.expectation),
          active: toBoolean(s.active),
          calendar: {
            id: Number(s.calendar_id),
            name: String(s.calendar_name),
            zone: String(s.zone),
            workingDays: String(s.working_days).split(',').map(Number),
            dayStart: String(s.day_start),
            dayEnd: String(s.day_end),
            holidays: holidays.filter((h) => Number(h.calendar_id) === Number(s.calendar_id)).map((h) => String(h.date)),
          },
        })),
      };
    },

    async escalationSteps(serviceCode: string, db: Db = knex): Promise<EscalationStep[]> {
      const rows = await db('escalation_steps as e').join('services as s', 's.id', 'e.service_id').where('s.code', serviceCode).orderBy('e.position').select('e.id', 'e.position', 'e.due', 'e.offset_minutes', 'e.target');
      return rows.map((r) => ({ id: Number(r.id), position: Number(r.position), due: r.due, offsetMinutes: Number(r.offset_minutes), target: r.target as EscalationTarget }));
    },

    /**
     * What the public figures need of each routed item (once visible) and complaint received since
     * `since`, by service. Nothing personal; unattributed items are measured from their day (see measuredFromOf).
     */
    async measuredItems(since: number, now: number, db: Db = knex): Promise<Array<MeasuredItem & { serviceId: number }>> {
      const feedback = await whereVisible(db('routed_items as r'), 'r.visible_at', now)
        .join('service_level_targets as t', 't.id', 'r.service_level_target_id')
        .join('feedback_items as f', 'f.id', 'r.feedback_item_id')
        .where('r.received_at', '>=', since)
        .select('t.service_id', 't.acknowledge_unit', 't.respond_unit', 'f.attribution', 'r.received_at', 'r.acknowledged_at', 'r.responded_at', 'r.acknowledge_due_at', 'r.respond_due_at', 'r.timeframe_updated_at', 'r.committed_respond_at');
      // Complaints carry the same clock (acknowledge, then a statement of understanding).
      const complaints = await db('complaints as r')
        .join('service_level_targets as t', 't.id', 'r.service_level_target_id')
        .where('r.received_at', '>=', since)
        .select('t.service_id', 't.acknowledge_unit', 't.respond_unit', db.raw("'named' as attribution"), 'r.received_at', 'r.acknowledged_at', 'r.responded_at', 'r.acknowledge_due_at', 'r.respond_due_at', db.raw('null as timeframe_updated_at'), db.raw('null as committed_respond_at'));
      return [...feedback, ...complaints].map((r) => ({
        serviceId: Number(r.service_id),
        acknowledgeUnit: r.acknowledge_unit as TargetUnit,
        respondUnit: r.respond_unit as TargetUnit,
        receivedAt: measuredFromOf(r.attribution as InputAttribution, Number(r.received_at)),
        acknowledgedAt: toNullableNumber(r.acknowledged_at),
        respondedAt: toNullableNumber(r.responded_at),
        acknowledgeDueAt: Number(r.acknowledge_due_at),
        respondDueAt: Number(r.respond_due_at),
        timeframeUpdatedAt: toNullableNumber(r.timeframe_updated_at),
        committedRespondAt: toNullableNumber(r.committed_respond_at),
      }));
    },

    /** A report a job computed, as stored, or undefined before its first run. */
    async publishedFigures<Body>(report: string, db: Db = knex): Promise<{ computedAt: number; body: Body } | undefined> {
      const row = await db('published_figures').select('computed_at', 'body').where({ report }).first();
      return row ? { computedAt: Number(row.computed_at), body: parseJsonColumn<Body>(row.body) } : undefined;
    },

    async storePublishedFigures(report: string, computedAt: number, body: unknown, db: Db = knex): Promise<void> {
      await db('published_figures').insert({ report, computed_at: computedAt, body: JSON.stringify(body) }).onConflict('report').merge(['computed_at', 'body']);
    },

    async targetHistory(serviceId: number, db: Db = knex): Promise<ServiceLevelTarget[]> {
      const rows = await db('service_level_targets').select(TARGET_COLUMNS).where({ service_id: serviceId }).orderBy([{ column: 'effective_from', order: 'desc' }, { column: 'id', order: 'desc' }]);
      return rows.map(toTarget);
    },

    async findTarget(id: number, db: Db = knex): Promise<ServiceLevelTarget | undefined> {
      const row = await db('service_level_targets').select(TARGET_COLUMNS).where({ id }).first();
      return row ? toTarget(row) : undefined;
    },

    async insertService(input: { code: string; name: string; owner: string; expectation: string; active: boolean }, createdAt: number, db: Db): Promise<number> {
      const calendar = await db('service_calendars').select('id').orderBy('id').first();
      const [id] = await db('services').insert({ ...input, calendar_id: Number(calendar.id), created_at: createdAt });
      return Number(id);
    },

    async updateService(id: number, input: { name: string; owner: string; expectation: string; active: boolean }, db: Db): Promise<boolean> {
      return (await db('services').where({ id }).update(input)) === 1;
    },

    async addHoliday(calendarId: number, date: string, name: string, db: Db): Promise<void> {
      await db('calendar_holidays').insert({ calendar_id: calendarId, date, name }).onConflict(['calendar_id', 'date']).merge({ name });
    },

    async removeHoliday(calendarId: number, date: string, db: Db): Promise<void> {
      await db('calendar_holidays').where({ calendar_id: calendarId, date }).delete();
    },

    async holidays(calendarId: number, db: Db = knex): Promise<Array<{ date: string; name: string }>> {
      return (await db('calendar_holidays').where({ calendar_id: calendarId }).orderBy('date').select('date', 'name')).map((r) => ({ date: String(r.date), name: String(r.name) }));
    },

    async addEscalationStep(serviceId: number, step: { due: string; offsetMinutes: number; target: string }, db: Db): Promise<void> {
      const last = await db('escalation_steps').where({ service_id: serviceId }).max({ p: 'position' }).first();
      await db('escalation_steps').insert({ service_id: serviceId, position: Number(last?.p ?? 0) + 1, due: step.due, offset_minutes: step.offsetMinutes, target: step.target });
    },

    async removeEscalationStep(stepId: number, db: Db): Promise<boolean> {
      return (await db('escalation_steps').where({ id: stepId }).delete()) === 1;
    },

    async insertTarget(serviceId: number, input: TargetInput, effectiveFrom: number, accountId: number, db: Db): Promise<number> {
      const [id] = await db('service_level_targets').insert({
        service_id: serviceId,
        acknowledge_amount: input.acknowledgeAmount,
        acknowledge_unit: input.acknowledgeUnit,
        respond_amount: input.respondAmount,
        respond_unit: input.respondUnit,
        effective_from: effectiveFrom,
        created_by_account_id: accountId,
      });
      return Number(id);
    },
  };
}

export type ServiceLevelsRepository = ReturnType<typeof createServiceLevelsRepository>;
