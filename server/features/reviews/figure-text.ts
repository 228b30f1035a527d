import type { Translate } from '../../platform/i18n';
import type { Suppressed } from '../../platform/privacy/aggregates';
import type { TargetTally } from '../service-levels';

/** What a withheld figure's reason depends on: the minimum group size and when its period ends. */
export interface WithheldContext {
  readonly minimum: number;
  readonly endsOn: string;
}

/** Why a figure is withheld, in the same words on pages, in PDFs, exports and JSON. */
export function withheldText(t: Translate, figure: Suppressed, context: WithheldContext): string {
  return t(`reviews.withheld.${figure.reason}`, { minimum: context.minimum, endsOn: context.endsOn });
}

/** "2 / 11": met on time, of every routed item decided (see handlingTallies). */
export const tallyText = (tally: TargetTally): string => `${tally.met} / ${tally.decided}`;
