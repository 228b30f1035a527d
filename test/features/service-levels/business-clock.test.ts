import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addBusinessDays,
  addBusinessHours,
  addCalendarDays,
  businessDayMs,
  businessMsBetween,
  countedBusinessMs,
  DEFAULT_CALENDAR,
  isWorkingDay,
  type BusinessCalendar,
} from '../../../server/features/service-levels/business-clock';

const calendar: BusinessCalendar = { ...DEFAULT_CALENDAR, holidays: ['2026-11-26', '2026-11-27', '2026-12-25', '2027-01-01', '2027-03-15'] };
const zone = calendar.zone;
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

// Moments from 2026 to 2028, which include four daylight-saving changes in Los Angeles.
const moment = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') });

describe('the business-time clock', () => {
  it('when N business days are added, then the result is never on a weekend or holiday and lies in working hours', () => {
    fc.assert(
      fc.property(moment, fc.integer({ min: 1, max: 60 }), (start, days) => {
        const due = DateTime.fromMillis(addBusinessDays(start, days, calendar), { zone });
        expect(isWorkingDay(due, calendar)).toBe(true);
        const minutes = due.hour * 60 + due.minute;
        expect(minutes).toBeGreaterThanOrEqual(9 * 60);
        expect(minutes).toBeLessThanOrEqual(17 * 60);
      }),
      { numRuns: 300 },
    );
  });

  it('when business time is added and then measured, then the measure gives back what was added', () => {
    fc.assert(
      fc.property(moment, fc.integer({ min: 0, max: 40 * 8 * 60 }), (start, minutes) => {
        const due = addBusinessHours(start, minutes / 60, calendar);
        expect(businessMsBetween(start, due, calendar)).toBe(minutes * 60_000);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(moment, fc.integer({ min: 1, max: 30 }), (start, days) => {
        expect(businessMsBetween(start, addBusinessDays(start, days, calendar), calendar) / businessDayMs(calendar)).toBe(days);
      }),
    );
  });

  it('when a pause falls inside the working time, then it does not count', () => {
    fc.assert(
      fc.property(moment, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }), (start, days, pauseFrom, pauseLength) => {
        const end = addBusinessDays(start, days, calendar);
        const pauseStart = start + Math.floor(((end - start) * pauseFrom) / 200);
        const pauseEnd = Math.min(end, pauseStart + pauseLength * 3_600_000);
        const counted = countedBusinessMs(start, end, [{ start: pauseStart, end: pauseEnd }], calendar);
        expect(counted).toBe(businessMsBetween(start, end, calendar) - businessMsBetween(pauseStart, pauseEnd, calendar));
        expect(counted).toBeLessThanOrEqual(days * businessDayMs(calendar));
        expect(counted).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('when the clocks change, then working hours stay 09:00-17:00 local and calendar days keep the local time', () => {
    // Spring forward (Sunday 8 March 2026) and fall back (Sunday 1 November 2026).
    expect(addBusinessDays(local('2026-03-06T10:00'), 1, calendar)).toBe(local('2026-03-09T10:00'));
    expect(addBusinessDays(local('2026-10-30T16:30'), 1, calendar)).toBe(local('2026-11-02T16:30'));
    expect(businessMsBetween(local('2026-03-06T09:00'), local('2026-03-09T17:00'), calendar)).toBe(16 * 3_600_000);
    expect(addCalendarDays(local('2026-03-01T12:00'), 14, zone)).toBe(local('2026-03-15T12:00'));
    expect(addCalendarDays(local('2026-10-25T12:00'), 14, zone)).toBe(local('2026-11-08T12:00'));
    fc.assert(
      fc.property(moment, fc.integer({ min: 1, max: 60 }), (start, days) => {
        const before = DateTime.fromMillis(start, { zone });
        const after = DateTime.fromMillis(addCalendarDays(start, days, zone), { zone });
        expect(after.toISODate()).toBe(before.plus({ days }).toISODate());
        expect([after.hour, after.minute]).toEqual([before.plus({ days }).hour, before.plus({ days }).minute]);
      }),
    );
  });

  it('when holidays and weekends come between, then they are skipped', () => {
    // Wednesday before Thanksgiving, 2 p.m.: Thursday and Friday are holidays, then the weekend.
    expect(addBusinessDays(local('2026-11-25T14:00'), 1, calendar)).toBe(local('2026-11-30T14:00'));
    // Submitted on a Saturday: the clock starts Monday at 09:00.
    expect(addBusinessHours(local('2026-12-05T11:00'), 2, calendar)).toBe(local('2026-12-07T11:00'));
    // After hours on Friday: one business hour is Monday 10:00.
    expect(addBusinessHours(local('2026-12-04T18:30'), 1, calendar)).toBe(local('2026-12-07T10:00'));
  });
});

describe('the days a calendar keeps, against walking every day with Luxon', () => {
  // The walk the clock did before it kept its days: each local day's window worked out afresh.
  function walkedBusinessMsBetween(start: number, end: number, cal: BusinessCalendar): number {
    let total = 0;
    for (let day = DateTime.fromMillis(start, { zone: cal.zone }).startOf('day'); day.toMillis() < end; day = day.plus({ days: 1 }).startOf('day')) {
      if (!cal.workingDays.includes(day.weekday) || cal.holidays.includes(day.toISODate()!)) continue;
      const [sh, sm] = cal.dayStart.split(':').map(Number);
      const [eh, em] = cal.dayEnd.split(':').map(Number);
      const from = Math.max(start, day.set({ hour: sh, minute: sm, second: 0, millisecond: 0 }).toMillis());
      const to = Math.min(end, day.set({ hour: eh, minute: em, second: 0, millisecond: 0 }).toMillis());
      if (to > from) total += to - from;
    }
    return Math.max(0, total);
  }

  it('when days are kept from earlier answers, then working time and due times are what a fresh walk gives, across clock changes and holidays', () => {
    const warm: BusinessCalendar = { ...calendar };
    fc.assert(
      fc.property(moment, fc.integer({ min: 0, max: 40 * 86_400_000 }), fc.integer({ min: 1, max: 30 }), (start, span, days) => {
        expect(businessMsBetween(start, start + span, warm)).toBe(walkedBusinessMsBetween(start, start + span, calendar));
        const due = addBusinessDays(start, days, warm);
        // Cold: a calendar object of its own keeps nothing yet.
        expect(due).toBe(addBusinessDays(start, days, { ...calendar }));
        expect(walkedBusinessMsBetween(start, due, calendar)).toBe(days * businessDayMs(calendar));
        // A moment later, most often the same local day: the day last asked for answers.
        expect(addBusinessDays(start + 1000, days, warm)).toBe(addBusinessDays(start + 1000, days, { ...calendar }));
        expect(businessMsBetween(start + 1000, start + span, warm)).toBe(walkedBusinessMsBetween(start + 1000, start + span, calendar));
      }),
      { numRuns: 300 },
    );
  });
});
