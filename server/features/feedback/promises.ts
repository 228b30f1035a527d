import type { Attribution } from '../routing/routing.schema';
import type { StaffVisibility } from './feedback.schema';

/**
 * What the form tells a submitter about who will see an item of each attribution, generated from the
 * organisation's setting that decides what the staff member concerned sees (the feedback
 * repository's visibleToStaffMember applies the same setting), never typed beside it.
 */
export function attributionHelpKey(attribution: Attribution, visibility: StaffVisibility): string {
  // Only named items ever reach the staff member concerned; the others' texts hold for every setting.
  return attribution === 'named' ? `feedback.attribution.named.help.${visibility}` : `feedback.attribution.${attribution}.help`;
}
