import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { NotFoundError } from '../../platform/errors';
import { pagesOf, parseAll, type RawAnswers, type SurveyPage } from './answers';
import { hashInvitationToken, isInvitationToken } from './invitation-links';
import { surveyPromise, type SurveyPromise } from './promises';
import type { SurveysRepository } from './surveys.repository';
import type { Survey, TemplateVersion } from './surveys.schema';

/** Where a link stands: answerable, already used, or past its survey's close. */
export type LinkState = 'open' | 'responded' | 'closed';

export interface AnsweringSession {
  /** The invitation the link opened, for saving and submitting through it; never shown. */
  readonly invitationId: number;
  readonly state: LinkState;
  readonly survey: Survey;
  readonly pages: readonly SurveyPage[];
  /** What the member saved with "finish later", if anything. */
  readonly saved: RawAnswers;
  /** Who will read the answers, as the results and staff reports enforce it. */
  readonly promise: SurveyPromise;
}

export type SubmitOutcome = { readonly outcome: 'submitted' | 'already_submitted' | 'closed' } | { readonly outcome: 'invalid'; readonly errors: Record<string, string>; readonly page: number };

/** Versions a process keeps parsed; template versions never change once saved, so they need no checking. */
const CACHED_VERSIONS = 200;

export function createAnsweringService(deps: { knex: Knex; repository: SurveysRepository; defaultMinimumGroupSize: number; now: () => number }) {
  const { knex, repository, now } = deps;
  const versions = new Map<number, TemplateVersion>();

  async function versionOf(id: number): Promise<TemplateVersion> {
    let version = versions.get(id);
    if (!version) {
      version = (await repository.findVersion(id))!;
      if (versions.size >= CACHED_VERSIONS) versions.clear();
      versions.set(id, version);
    }
    return version;
  }

  return {
    async open(token: string): Promise<AnsweringSession> {
      // One answer for an unknown link, a malformed one, or a survey that no longer exists.
      if (!isInvitationToken(token)) throw new NotFoundError();
      const link = await repository.findLinkByTokenHash(hashInvitationToken(token));
      if (!link) throw new NotFoundError();
      const { invitation, survey } = link;
      const pages = pagesOf((await versionOf(survey.templateVersionId)).definition, await repository.staffOf(survey.id));
      // A survey with nothing to ask (a staff-only template whose staff left before it opened) takes no answers.
      const state: LinkState = invitation.hasResponded ? 'responded' : survey.status !== 'open' || now() >= survey.closesAt || pages.length === 0 ? 'closed' : 'open';
      const saved = state === 'open' && invitation.draft ? (JSON.parse(invitation.draft) as RawAnswers) : {};
      const promise = surveyPromise(survey, deps.defaultMinimumGroupSize, pages.some((p) => p.staff !== undefined));
      return { invitationId: invitation.id, state, survey, pages, saved, promise };
    },

    /** "Finish later": keeps what was typed, valid or not, with the invitation until submit or close. */
    async save(session: AnsweringSession, raw: RawAnswers): Promise<LinkState> {
      if (session.state === 'open') await repository.saveDraft(session.invitationId, JSON.stringify(raw));
      return session.state;
    },

    /**
     * Validates every page, then uses the link: the invitation is marked in the same transaction as
     * the response is stored, by a conditional update that only one of many concurrent submits can win.
     * The response keeps no invitation id, a random key, and only the day it arrived.
     */
    async submit(session: AnsweringSession, raw: RawAnswers): Promise<SubmitOutcome> {
      if (session.state === 'responded') return { outcome: 'already_submitted' };
      if (session.state === 'closed') return { outcome: 'closed' };
      const { answers, errors, firstInvalidPage } = parseAll(session.pages, raw);
      if (firstInvalidPage !== null) return { outcome: 'invalid', errors, page: firstInvalidPage };
      return knex.transaction(async (trx): Promise<SubmitOutcome> => {
        // Read again under lock: a survey that closed since the link was opened takes no more answers.
        const survey = await repository.findSurvey(session.survey.id, trx, { forShare: true });
        if (survey?.status !== 'open' || now() >= survey.closesAt) return { outcome: 'closed' };
        if (!(await repository.markResponded(session.invitationId, trx))) return { outcome: 'already_submitted' };
        await repository.insertResponse(
          { id: randomBytes(16).toString('hex'), surveyId: session.survey.id, submittedOn: DateTime.fromMillis(now(), { zone: 'utc' }).toISODate()!, answers: JSON.stringify(answers) },
          trx,
        );
        return { outcome: 'submitted' };
      });
    },
  };
}

export type AnsweringService = ReturnType<typeof createAnsweringService>;
