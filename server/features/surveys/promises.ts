import { MINIMUM_GROUP_SIZE_FLOOR, type GroupRule } from '../../platform/privacy/aggregates';
import type { StaffReportContent, Survey } from './surveys.schema';

/**
 * The one minimum a survey's figures are held to: its own, or the organisation's if that was raised
 * after the survey was created, never below the floor. Results apply it; the promise states it.
 */
export function surveyGroupRule(survey: Pick<Survey, 'minimumGroupSize'>, organisationMinimum: number): GroupRule {
  return { minimumGroupSize: Math.max(survey.minimumGroupSize, organisationMinimum, MINIMUM_GROUP_SIZE_FLOOR) };
}

/** Whether a people manager's staff report carries the block's comments (results.ts enforces it). */
export const staffReportHasComments = (content: StaffReportContent) => content === 'totals_and_comments';

/**
 * What a respondent is told about who reads their answers, as translation keys and values, built
 * from the settings the results and staff reports enforce: never typed beside them.
 */
export interface SurveyPromise {
  readonly minimum: number;
  /** Present when the survey asks about support staff: what their people manager receives. */
  readonly staffKey: `surveys.promise.staff.${StaffReportContent}` | null;
}

export function surveyPromise(survey: Pick<Survey, 'minimumGroupSize' | 'staffReportContent'>, organisationMinimum: number, asksAboutStaff: boolean): SurveyPromise {
  return {
    minimum: surveyGroupRule(survey, organisationMinimum).minimumGroupSize,
    staffKey: asksAboutStaff ? `surveys.promise.staff.${survey.staffReportContent}` : null,
  };
}
