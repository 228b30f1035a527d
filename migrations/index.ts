import type { Knex } from 'knex';
import * as platform from './20261122_0001_platform';
import * as directory from './20261122_0002_directory';
import * as accounts from './20261122_0003_accounts';
import * as feedback from './20261122_0004_feedback';
import * as serviceLevels from './20261122_0005_service_levels';
import * as complaints from './20261122_0006_complaints';
import * as surveys from './20261122_0007_surveys';
import * as reviews from './20261122_0008_reviews';
import * as reconcileEditedMigrations from './20261204_0009_reconcile_edited_migrations';
import * as cyclePopulations from './20261204_0020_cycle_populations';
import * as surveyStaffReportContent from './20261204_0030_survey_staff_report_content';
import * as feedbackSolicitedCycle from './20261204_0031_feedback_solicited_cycle';
import * as selfAssessmentUntypedPromise from './20261204_0032_self_assessment_untyped_promise';
import * as roleGrantProposals from './20261204_0040_role_grant_proposals';
import * as signInCounters from './20261204_0041_sign_in_counters';
import * as signInDevices from './20261204_0042_sign_in_devices';
import * as complaintPublication from './20261204_0060_complaint_publication';
import * as backgroundJobs from './20261204_0061_background_jobs';
import * as eventVisibility from './20261204_0010_event_visibility';
import * as pendingAnswers from './20261204_0011_pending_answers';
import * as jobHeartbeats from './20261204_0070_job_heartbeats';
import * as surveyInviteesErased from './20261204_0071_survey_invitees_erased';
import * as publishedFigures from './20261204_0085_published_figures';
import * as referenceVersions from './20261204_0086_reference_versions';
import * as inboxIndex from './20261204_0087_inbox_index';
import * as packetIndexes from './20261207_0100_packet_indexes';
import * as inboxDayOrder from './20261207_0110_inbox_day_order';
import * as feedbackPeriodIndex from './20261207_0111_feedback_period_index';
import * as dimensionVersion from './20261207_0130_dimension_version';
import * as backgroundJobItems from './20261207_0150_background_job_items';
import * as trendFigures from './20261208_0010_trend_figures';
import * as inboxCounts from './20261208_0020_inbox_counts';
import * as packetPartCounts from './20261208_0030_packet_part_counts';

export interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// Listed explicitly so the same set runs from TypeScript (tests) and compiled JavaScript (production).
// Append new migrations here; never edit or reorder one that has been merged.
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['20261122_0001_platform', platform],
  ['20261122_0002_directory', directory],
  ['20261122_0003_accounts', accounts],
  ['20261122_0004_feedback', feedback],
  ['20261122_0005_service_levels', serviceLevels],
  ['20261122_0006_complaints', complaints],
  ['20261122_0007_surveys', surveys],
  ['20261122_0008_reviews', reviews],
  ['20261204_0009_reconcile_edited_migrations', reconcileEditedMigrations],
  ['20261204_0020_cycle_populations', cyclePopulations],
  ['20261204_0030_survey_staff_report_content', surveyStaffReportContent],
  ['20261204_0031_feedback_solicited_cycle', feedbackSolicitedCycle],
  ['20261204_0032_self_assessment_untyped_promise', selfAssessmentUntypedPromise],
  ['20261204_0040_role_grant_proposals', roleGrantProposals],
  ['20261204_0041_sign_in_counters', signInCounters],
  ['20261204_0042_sign_in_devices', signInDevices],
  ['20261204_0060_complaint_publication', complaintPublication],
  ['20261204_0061_background_jobs', backgroundJobs],
  ['20261204_0010_event_visibility', eventVisibility],
  ['20261204_0011_pending_answers', pendingAnswers],
  ['20261204_0070_job_heartbeats', jobHeartbeats],
  ['20261204_0071_survey_invitees_erased', surveyInviteesErased],
  ['20261204_0085_published_figures', publishedFigures],
  ['20261204_0086_reference_versions', referenceVersions],
  ['20261204_0087_inbox_index', inboxIndex],
  ['20261207_0100_packet_indexes', packetIndexes],
  ['20261207_0110_inbox_day_order', inboxDayOrder],
  ['20261207_0111_feedback_period_index', feedbackPeriodIndex],
  ['20261207_0130_dimension_version', dimensionVersion],
  ['20261207_0150_background_job_items', backgroundJobItems],
  ['20261208_0010_trend_figures', trendFigures],
  ['20261208_0020_inbox_counts', inboxCounts],
  ['20261208_0030_packet_part_counts', packetPartCounts],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  async getMigrations() {
    return [...migrations];
  },
  getMigrationName([name]) {
    return name;
  },
  async getMigration([, migration]) {
    return migration;
  },
};
