export const CYCLE_STATUSES = ['planned', 'open', 'closed'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

/** A half-year whose input feeds staff reviews: the period, and the window for the reviews themselves. */
export interface ReviewCycle {
  readonly id: number;
  /** 2026-H1 */
  readonly code: string;
  /** First and last day of the period (YYYY-MM-DD, UTC, both included). */
  readonly startsOn: string;
  readonly endsOn: string;
  readonly reviewOpensOn: string;
  readonly reviewClosesOn: string;
  readonly status: CycleStatus;
  /** Staff may read their own packet before their manager has reviewed it. */
  readonly staffSeeUnreviewed: boolean;
  readonly guidance: string;
}
