import { DateTime, Interval } from 'luxon';

/**
 * When a service works: which weekdays, which hours, which holidays, in which time zone. Luxon does
 * the calendar arithmetic (zones, daylight-saving changes); this module only walks working windows.
 */
export interface BusinessCalendar {
  /** IANA zone, for example "America/Los_Angeles". */
  readonly zone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  readonly workingDays: readonly number[];
  /** Start and end of the working day, local time, "HH:mm". */
  readonly dayStart: string;
  readonly dayEnd: string;
  /** Local dates ("yyyy-MM-dd") that are not working days. */
  readonly holidays: readonly string[];
}

export const DEFAULT_CALENDAR: BusinessCalendar = {
  zone: 'America/Los_Angeles',
  workingDays: [1, 2, 3, 4, 5],
  dayStart: '09:00',
  dayEnd: '17:00',
  holidays: [],
};

/** A span when the clock stood still (waiting on the submitter); `end` null while still paused. */
export interface Pause {
  readonly start: number;
  readonly end: number | null;
}

const MAX_DAYS_SCANNED = 3660;

function at(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

export function isWorkingDay(day: DateTime, calendar: BusinessCalendar): boolean {
  return calendar.workingDays.includes(day.weekday) && !calendar.holidays.includes(day.toISODate()!);
}

/** One local day: its working window in epoch milliseconds (undefined on a weekend or holiday) and when the next day starts. */
interface Day {
  readonly window: { start: number; end: number } | undefined;
  readonly next: number;
}

/** Days kept per calendar; a calendar object changes only when the catalogue is read again. */
const DAYS_KEPT = 4000;
interface KeptDays {
  readonly days: Map<number, Day>;
  /** The day last asked for by a moment inside it: most requests fall on today. */
  latest?: { start: number; day: Day };
  dayMs?: number;
}
const keptByCalendar = new WeakMap<BusinessCalendar, KeptDays>();

function keptFor(calendar: BusinessCalendar): KeptDays {
  let kept = keptByCalendar.get(calendar);
  if (!kept) keptByCalendar.set(calendar, (kept = { days: new Map() }));
  return kept;
}

/**
 * The local day starting at `dayStart` (epoch ms of its local midnight). Walking days with Luxon's
 * zone arithmetic was most of the cost of a submission's due times, so each calendar keeps the
 * days it has walked; the answer is the same as working it out again. Calendars are never changed
 * in place (a change to the catalogue reads new ones).
 */
function dayOf(dayStart: number, calendar: BusinessCalendar): Day {
  const { days } = keptFor(calendar);
  let found = days.get(dayStart);
  if (!found) {
    const day = DateTime.fromMillis(dayStart, { zone: calendar.zone });
    const window = windowOf(day, calendar);
    found = { window: window && { start: window.start!.toMillis(), end: window.end!.toMillis() }, next: day.plus({ days: 1 }).startOf('day').toMillis() };
    if (days.size >= DAYS_KEPT) days.clear();
    days.set(dayStart, found);
  }
  return found;
}

/** The local day a moment falls in, as its midnight. */
function localMidnight(at: number, calendar: BusinessCalendar): number {
  const kept = keptFor(calendar);
  if (kept.latest && at >= kept.latest.start && at < kept.latest.day.next) return kept.latest.start;
  const start = DateTime.fromMillis(at, { zone: calendar.zone }).startOf('day').toMillis();
  kept.latest = { start, day: dayOf(start, calendar) };
  return start;
}

/** The working window of a local day, or undefined on a weekend or holiday. */
function windowOf(day: DateTime, calendar: BusinessCalendar): Interval | undefined {
  if (!isWorkingDay(day, calendar)) return undefined;
  const interval = Interval.fromDateTimes(at(day, calendar.dayStart), at(day, calendar.dayEnd));
  return interval.isValid && !interval.isEmpty() ? interval : undefined;
}

/** The length of one business day in milliseconds (a day's window on a day without a clock change). */
export function businessDayMs(calendar: BusinessCalendar): number {
  const kept = keptFor(calendar);
  if (kept.dayMs === undefined) {
    const reference = DateTime.fromISO('2001-01-15', { zone: 'UTC' });
    kept.dayMs = at(reference, calendar.dayEnd).toMillis() - at(reference, calendar.dayStart).toMillis();
  }
  return kept.dayMs;
}

/** The moment `amountMs` of working time after `start`. */
export function addBusinessMs(start: number, amountMs: number, calendar: BusinessCalendar): number {
  let day = dayOf(localMidnight(start, calendar), calendar);
  let remaining = amountMs;
  for (let i = 0; i < MAX_DAYS_SCANNED; i++, day = dayOf(day.next, calendar)) {
    if (!day.window) continue;
    const from = Math.max(start, day.window.start);
    const to = day.window.end;
    if (from >= to) continue;
    if (remaining <= to - from) return from + remaining;
    remaining -= to - from;
  }
  throw new Error('No working time within ten years: check the calendar');
}

/** Working time between two moments, in milliseconds (0 when `end` is not after `start`). */
export function businessMsBetween(start: number, end: number, calendar: BusinessCalendar): number {
  if (end <= start) return 0;
  let total = 0;
  let dayStart = localMidnight(start, calendar);
  for (let i = 0; i < MAX_DAYS_SCANNED && dayStart < end; i++) {
    const day = dayOf(dayStart, calendar);
    if (day.window) {
      const from = Math.max(start, day.window.start);
      const to = Math.min(end, day.window.end);
      if (to > from) total += to - from;
    }
    dayStart = day.next;
  }
  return total;
}

export function addBusinessDays(start: number, days: number, calendar: BusinessCalendar): number {
  return addBusinessMs(start, days * businessDayMs(calendar), calendar);
}

export function addBusinessHours(start: number, hours: number, calendar: BusinessCalendar): number {
  return addBusinessMs(start, hours * 3_600_000, calendar);
}

/** Calendar days in the service's zone: the same local time N days on, across clock changes. */
export function addCalendarDays(start: number, days: number, zone: string): number {
  return DateTime.fromMillis(start, { zone }).plus({ days }).toMillis();
}

/** Working time that counts towards a target: elapsed working time less the time spent paused. */
export function countedBusinessMs(start: number, now: number, pauses: readonly Pause[], calendar: BusinessCalendar): number {
  const paused = pauses.reduce((sum, p) => sum + businessMsBetween(Math.max(p.start, start), Math.min(p.end ?? now, now), calendar), 0);
  return businessMsBetween(start, now, calendar) - paused;
}
