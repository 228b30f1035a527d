import type { Knex } from 'knex';
import type { HandlingFact } from '../../server/features/reviews/aggregation';
import { frozenInputs, type Period } from '../../server/features/reviews/packets.repository';
import { guardedSizedParts, scaleFigures, type Guarded, type GroupRule, type ScaleFigures } from '../../server/platform/privacy/aggregates';

/**
 * The figures as they were computed before the database counted them (issue 13): from every value
 * and every rating. The application no longer needs them; the tests compare its counted forms with these.
 */

/** One rating of one feedback item on one dimension, with where it belongs (the staff member and their department as frozen). */
export interface RatingFact {
  readonly staffMemberId: number;
  readonly departmentId: number | null;
  readonly feedbackItemId: number;
  readonly dimensionId: number;
  readonly cycleId: number;
  readonly score: number;
}

/** A figure for each part of one whole, from its values, computed only for the parts the guard lets through. */
export function guardedParts<K extends number, V, T extends object>(parts: ReadonlyMap<K, readonly V[]>, rule: GroupRule, compute: (values: readonly V[]) => T): Map<K, Guarded<T>> {
  return guardedSizedParts(parts, (values) => values.length, rule, compute);
}

/** Scale figures for each part of one whole, from every value. */
export function summariseParts<K extends number>(parts: ReadonlyMap<K, readonly number[]>, points: readonly number[], rule: GroupRule): Map<K, Guarded<ScaleFigures>> {
  return guardedParts(parts, rule, (values) => scaleFigures(values, points));
}

/** Every rating given in a cycle's period, with where it belongs (see frozenInputs). */
export async function ratingFacts(knex: Knex, period: Period, cycleId: number): Promise<RatingFact[]> {
  const rows: Array<Record<string, unknown>> = await frozenInputs(knex('feedback_ratings as r'), 'r.feedback_item_id', period, cycleId).select('r.feedback_item_id', 'r.dimension_id', 'r.score');
  return rows.map((r) => ({
    staffMemberId: Number(r.staff_member_id),
    departmentId: r.department_id == null ? null : Number(r.department_id),
    feedbackItemId: Number(r.feedback_item_id),
    dimensionId: Number(r.dimension_id),
    cycleId,
    score: Number(r.score),
  }));
}

/** Every routed item of a cycle's period with its handling times, and where its input belongs (see frozenInputs). */
export async function handlingFacts(knex: Knex, period: Period, cycleId: number): Promise<HandlingFact[]> {
  const rows: Array<Record<string, unknown>> = await frozenInputs(knex('routed_items as r'), 'r.feedback_item_id', period, cycleId).select('r.acknowledged_at', 'r.acknowledge_due_at', 'r.responded_at', 'r.respond_due_at', 'r.timeframe_updated_at', 'r.committed_respond_at');
  const time = (v: unknown) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    staffMemberId: Number(r.staff_member_id),
    departmentId: time(r.department_id),
    cycleId,
    acknowledgedAt: time(r.acknowledged_at),
    acknowledgeDueAt: time(r.acknowledge_due_at),
    respondedAt: time(r.responded_at),
    respondDueAt: time(r.respond_due_at),
    timeframeUpdatedAt: time(r.timeframe_updated_at),
    committedRespondAt: time(r.committed_respond_at),
  }));
}
