import type { Knex } from 'knex';
import { suppressionReason, type GroupRule } from '../../platform/privacy/aggregates';
import { businessMsBetween, type BusinessCalendar } from './business-clock';
import type { TargetUnit } from './service-levels.schema';

export const WINDOW_DAYS = 90;

export interface MeasuredItem {
  readonly receivedAt: number;
  readonly acknowledgedAt: number | null;
  readonly respondedAt: number | null;
  readonly acknowledgeDueAt: number;
  readonly respondDueAt: number;
  readonly timeframeUpdatedAt: number | null;
  readonly committedRespondAt: number | null;
  readonly acknowledgeUnit: TargetUnit;
  readonly respondUnit: TargetUnit;
}

export interface ServicePerformance {
  readonly received: number;
  /** Null when fewer items came in than the organisation's minimum group size (see measure). */
  readonly figures: {
    /** Median hours to acknowledge / respond: working hours for business targets, elapsed hours for calendar ones. */
    readonly medianHoursToAcknowledge: number | null;
    readonly medianHoursToRespond: number | null;
    /** Shares (0–1) of the items whose target has passed or been met, met on time. */
    readonly acknowledgedWithinTarget: number | null;
    readonly respondedWithinTarget: number | null;
    /** Updated timeframes are measured apart: how many were given, and how many of those were then kept. */
    readonly timeframesGiven: number;
    readonly timeframesKept: number | null;
  } | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function hoursBetween(start: number, end: number, unit: TargetUnit, calendar: BusinessCalendar): number {
  const ms = unit === 'calendar_days' ? end - start : businessMsBetween(start, end, calendar);
  return Math.round((ms / 3_600_000) * 10) / 10;
}

/** Of the cases decided by now, how many met their due time. */
export interface TargetTally {
  readonly met: number;
  /** Met, or missed: done late, or not done when the due time passed. */
  readonly decided: number;
}

/**
 * The one rule for handling figures, here and in review packets: every routed item counts once it
 * is decided, so an item never acknowledged is a miss as soon as its due time has passed (never
 * left out, as if only the acknowledged items counted). Without a due time, only doing it decides.
 */
function tally(cases: ReadonlyArray<{ doneAt: number | null; dueAt: number | null }>, now: number): TargetTally {
  const decided = cases.filter((c) => c.doneAt !== null || (c.dueAt !== null && c.dueAt < now));
  return { met: decided.filter((c) => c.doneAt !== null && (c.dueAt === null || c.doneAt <= c.dueAt)).length, decided: decided.length };
}

/** When a routed item was done and due; a due time may be missing where no target applied. */
export interface HandlingTimes {
  readonly acknowledgedAt: number | null;
  readonly acknowledgeDueAt: number | null;
  readonly respondedAt: number | null;
  readonly respondDueAt: number | null;
  readonly timeframeUpdatedAt: number | null;
  readonly committedRespondAt: number | null;
}

export interface HandlingTallies {
  readonly acknowledged: TargetTally;
  /** Updated timeframes are measured apart, not as responses. */
  readonly responded: TargetTally;
  readonly timeframesGiven: number;
  readonly timeframesKept: TargetTally;
}

export function handlingTallies(items: readonly HandlingTimes[], now: number): HandlingTallies {
  const withTimeframe = items.filter((i) => i.timeframeUpdatedAt !== null && i.committedRespondAt !== null);
  return {
    acknowledged: tally(items.map((i) => ({ doneAt: i.acknowledgedAt, dueAt: i.acknowledgeDueAt })), now),
    responded: tally(items.filter((i) => i.timeframeUpdatedAt === null).map((i) => ({ doneAt: i.respondedAt, dueAt: i.respondDueAt })), now),
    timeframesGiven: withTimeframe.length,
    timeframesKept: tally(withTimeframe.map((i) => ({ doneAt: i.respondedAt, dueAt: i.committedRespondAt })), now),
  };
}

/**
 * handlingTallies as a database counts it, for figures over many items: the same rule as tally,
 * as sums over the rows of `r` (routed items) grouped by the caller. `fromRow` reads the sums back.
 */
export function handlingTallyColumns(db: Knex | Knex.Transaction, now: number) {
  // Decided: done, or due and passed. Met: done, and by the due time when there is one.
  const tallied = (name: string, done: string, due: string, only = '1 = 1') => [
    db.raw(`sum(case when (${only}) and (${done} is not null or (${due} is not null and ${due} < ?)) then 1 else 0 end) as ${name}_decided`, [now]),
    db.raw(`sum(case when (${only}) and ${done} is not null and (${due} is null or ${done} <= ${due}) then 1 else 0 end) as ${name}_met`),
  ];
  const withTimeframe = 'r.timeframe_updated_at is not null and r.committed_respond_at is not null';
  return {
    columns: [
      ...tallied('acknowledged', 'r.acknowledged_at', 'r.acknowledge_due_at'),
      ...tallied('responded', 'r.responded_at', 'r.respond_due_at', 'r.timeframe_updated_at is null'),
      db.raw(`sum(case when ${withTimeframe} then 1 else 0 end) as timeframes_given`),
      ...tallied('kept', 'r.responded_at', 'r.committed_respond_at', withTimeframe),
    ],
    fromRow(row: Record<string, unknown>): HandlingTallies {
      const of = (name: string): TargetTally => ({ met: Number(row[`${name}_met`] ?? 0), decided: Number(row[`${name}_decided`] ?? 0) });
      return { acknowledged: of('acknowledged'), responded: of('responded'), timeframesGiven: Number(row.timeframes_given ?? 0), timeframesKept: of('kept') };
    },
  };
}

const share = ({ met, decided }: TargetTally): number | null => (decided === 0 ? null : Math.round((met / decided) * 1000) / 1000);

/**
 * A service's published figures for its window, from its items. Below the minimum group size (the
 * suppression guard's rule, as for every figure over unattributed input) a service shows its count only.
 */
export function measure(items: readonly MeasuredItem[], calendar: BusinessCalendar, now: number, rule: GroupRule): ServicePerformance {
  if (suppressionReason(items.length, rule) !== null) return { received: items.length, figures: null };
  const acknowledged = items.filter((i) => i.acknowledgedAt !== null);
  const responded = items.filter((i) => i.respondedAt !== null);
  const tallies = handlingTallies(items, now);
  return {
    received: items.length,
    figures: {
      medianHoursToAcknowledge: median(acknowledged.map((i) => hoursBetween(i.receivedAt, i.acknowledgedAt!, i.acknowledgeUnit, calendar))),
      medianHoursToRespond: median(responded.map((i) => hoursBetween(i.receivedAt, i.respondedAt!, i.respondUnit, calendar))),
      acknowledgedWithinTarget: share(tallies.acknowledged),
      respondedWithinTarget: share(tallies.responded),
      timeframesGiven: tallies.timeframesGiven,
      timeframesKept: share(tallies.timeframesKept),
    },
  };
}
