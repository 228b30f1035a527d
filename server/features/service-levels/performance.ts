import { businessMsBetween, type BusinessCalendar } from './business-clock';
import type { TargetUnit } from './service-levels.schema';

/** Below this many items in the window a service shows counts only (no medians or shares). */
export const MINIMUM_ITEMS_FOR_FIGURES = 5;
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
  /** Null when fewer than MINIMUM_ITEMS_FOR_FIGURES items came in. */
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

/** Share of decided cases that were on time: met, or missed because the due time passed unmet. */
function shareOnTime(cases: ReadonlyArray<{ doneAt: number | null; dueAt: number }>, now: number): number | null {
  const decided = cases.filter((c) => c.doneAt !== null || c.dueAt < now);
  if (decided.length === 0) return null;
  return Math.round((decided.filter((c) => c.doneAt !== null && c.doneAt <= c.dueAt).length / decided.length) * 1000) / 1000;
}

/** A service's published figures for its window, from its items. */
export function measure(items: readonly MeasuredItem[], calendar: BusinessCalendar, now: number): ServicePerformance {
  if (items.length < MINIMUM_ITEMS_FOR_FIGURES) return { received: items.length, figures: null };
  const acknowledged = items.filter((i) => i.acknowledgedAt !== null);
  const responded = items.filter((i) => i.respondedAt !== null);
  const withTimeframe = items.filter((i) => i.timeframeUpdatedAt !== null && i.committedRespondAt !== null);
  return {
    received: items.length,
    figures: {
      medianHoursToAcknowledge: median(acknowledged.map((i) => hoursBetween(i.receivedAt, i.acknowledgedAt!, i.acknowledgeUnit, calendar))),
      medianHoursToRespond: median(responded.map((i) => hoursBetween(i.receivedAt, i.respondedAt!, i.respondUnit, calendar))),
      acknowledgedWithinTarget: shareOnTime(items.map((i) => ({ doneAt: i.acknowledgedAt, dueAt: i.acknowledgeDueAt })), now),
      respondedWithinTarget: shareOnTime(items.filter((i) => i.timeframeUpdatedAt === null).map((i) => ({ doneAt: i.respondedAt, dueAt: i.respondDueAt })), now),
      timeframesGiven: withTimeframe.length,
      timeframesKept: shareOnTime(withTimeframe.map((i) => ({ doneAt: i.respondedAt, dueAt: i.committedRespondAt! })), now),
    },
  };
}
