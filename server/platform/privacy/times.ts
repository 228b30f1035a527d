import type { Knex } from 'knex';

/**
 * Time privacy: the one home of what a reader may learn of when an input was given. For named
 * input (or a reader who has unsealed its submitter) times are shown to the minute; for anonymous and
 * confidential input, and a confidential submitter's reply, nothing finer than the calendar day
 * (UTC) of the send time, or of anything derived from it, reaches a page, e-mail, JSON answer or
 * export. Nothing about such input shows before its notification delay (`visible_at`) has passed.
 * Views and routes never format these times themselves: they ask this module.
 */

export type InputAttribution = 'named' | 'confidential' | 'anonymous';

export interface InputReader {
  /** True once the reader (HR, the complaints officer) has unsealed this submitter by a recorded reveal. */
  readonly mayUnseal: boolean;
}

export const DAY_MS = 86_400_000;

/** The start (UTC) of a moment's calendar day. */
export const startOfDay = (at: number): number => at - (at % DAY_MS);

/** The calendar day (UTC) of a moment, "yyyy-mm-dd". */
export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** A moment to the minute (UTC): for a named input's times, or when the system did something (figures computed). */
export const minuteOf = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const isUnattributed = (attribution: InputAttribution): boolean => attribution !== 'named';

/** What one reader may be shown of one input's times. */
export interface InputTimes {
  /** When it (or a step of its handling) happened. */
  moment(at: number): string;
  /** A due time, or null when there is none. */
  due(at: number | null): string | null;
}

export function inputTimes(attribution: InputAttribution, reader: InputReader): InputTimes {
  const exact = !isUnattributed(attribution) || reader.mayUnseal;
  const show = exact ? minuteOf : dayOf;
  return { moment: show, due: (at) => (at === null ? null : show(at)) };
}

/**
 * Where an input's service-level clock starts. For unattributed input: the start of the day after
 * the (UTC) day it was received, the day readers are shown, so a due time tells nothing finer than
 * that day. It is never before the send time, so the promised target is never shortened (it may
 * grow by up to a day); a start inside the received day would shorten it for late arrivals.
 */
export function clockStartOf(attribution: InputAttribution, at: number): number {
  return isUnattributed(attribution) ? startOfDay(at) + DAY_MS : at;
}

/**
 * Where a published figure measures an input's handling from: for unattributed input the start of
 * its received day, so no median or share rests on the send time (and none comes out negative).
 */
export function measuredFromOf(attribution: InputAttribution, at: number): number {
  return isUnattributed(attribution) ? startOfDay(at) : at;
}

/** How long news of an unattributed input (or a reply to one) is held back, in minutes: random between these. */
export const NOTIFICATION_DELAY_MINUTES = { min: 15, max: 60 } as const;

/** The moment from which every input sent before `end` shows: a figure over them waits for it, else it would move. */
export const allVisibleFrom = (end: number): number => end + NOTIFICATION_DELAY_MINUTES.max * 60_000;

/** Whether anything about an input (or a reply to it) may show yet. */
export const isVisible = (visibleAt: number, now: number): boolean => visibleAt <= now;

/** Restricts a query to rows whose `visible_at` column has passed. */
export function whereVisible<Q extends Knex.QueryBuilder>(query: Q, visibleAtColumn: string, now: number): Q {
  return query.andWhere(visibleAtColumn, '<=', now) as Q;
}

/**
 * Restricts a query over feedback items to those whose routed item has become visible (an item
 * with no routed item yet is not visible either).
 */
export function whereFeedbackVisible<Q extends Knex.QueryBuilder>(query: Q, feedbackIdColumn: string, now: number): Q {
  return query.whereExists((sub) => {
    sub.select(1).from('routed_items as visible').whereRaw('visible.feedback_item_id = ??', [feedbackIdColumn]);
    whereVisible(sub, 'visible.visible_at', now);
  }) as Q;
}

/**
 * Newest day first, and within a day an order that carries none (a random public id), so a list
 * never shows which of one day's inputs came first.
 */
export function orderByDayThenRandom<Q extends Knex.QueryBuilder>(query: Q, timeColumn: string, randomColumn: string): Q {
  return query.orderByRaw(`(?? - ?? % ${DAY_MS}) desc`, [timeColumn, timeColumn]).orderBy(randomColumn) as Q;
}

/**
 * The same order over a stored day column (`timeColumn` less its remainder of a day), which an index
 * can hold; `reversed` walks it from the end (the last pages of a long list), for the caller to turn round.
 */
export function orderByStoredDayThenRandom<Q extends Knex.QueryBuilder>(query: Q, dayColumn: string, randomColumn: string, reversed = false): Q {
  return query.orderBy(dayColumn, reversed ? 'asc' : 'desc').orderBy(randomColumn, reversed ? 'desc' : 'asc') as Q;
}
