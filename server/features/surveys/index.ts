import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import type { BackgroundJobs } from '../../platform/jobs';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { createAnsweringRoutes } from './answering.routes';
import { createAnsweringService } from './answering.service';
import { createTokenSeal } from './invitation-links';
import { createSurveysRepository } from './surveys.repository';
import { createSurveysRoutes } from './surveys.routes';
import { createSurveysService, type SurveysDeps, type SurveyWorkingGroups } from './surveys.service';

export type { SurveysService, SurveyWorkingGroups } from './surveys.service';
export { SURVEY_CREATE_PATH } from './surveys.routes';
export type { AnsweringService } from './answering.service';
// Single-use links, for other features that send them (solicited input for reviews).
export { createTokenSeal, hashInvitationToken, isInvitationToken, newInvitationToken, type TokenSeal } from './invitation-links';

export function createSurveys(
  deps: Pick<SurveysDeps, 'communityAudience' | 'staffMember' | 'peopleManagerOf' | 'outbox' | 'emails' | 'audit' | 'publicUrl' | 'defaultMinimumGroupSize' | 'translate'> & {
    knex: Knex;
    clock: Clock;
    audit: AuditLog;
    outbox: Outbox;
    emails: EmailComposer;
    workingGroups: SurveyWorkingGroups & { choices(): Promise<Array<{ id: number; name: string }>> };
    /** The application key that seals invitation links (see invitation-links.ts). */
    linkSecret: string;
    /** Reads the audience file sent with a new survey (see createCsrf). */
    acceptUpload: RequestHandler[];
    /** Sends a survey's invitations a batch at a time. */
    jobs: BackgroundJobs;
  },
) {
  const now = () => deps.clock.now();
  const repository = createSurveysRepository(deps.knex, now);
  const service = createSurveysService({ ...deps, repository, seal: createTokenSeal(deps.linkSecret), now });
  const answering = createAnsweringService({ knex: deps.knex, repository, defaultMinimumGroupSize: deps.defaultMinimumGroupSize, now });
  return {
    service,
    answering,
    // The answering routes first: /surveys/thank-you is public and must not meet /surveys/:id.
    routes: [createAnsweringRoutes({ answering }), createSurveysRoutes({ surveys: service, groupChoices: () => deps.workingGroups.choices(), defaultMinimumGroupSize: deps.defaultMinimumGroupSize, acceptUpload: deps.acceptUpload })],
  };
}
