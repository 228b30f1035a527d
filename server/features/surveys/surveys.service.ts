import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { AuditLog } from '../../platform/audit';
import { hasAnyRole, type Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { parseJsonColumn } from '../../platform/db/json';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { DEFAULT_LOCALE, type Translate } from '../../platform/i18n';
import type { EmailComposer } from '../../platform/mail/composer';
import { JOB_BATCH_SIZE, type BackgroundJobs, type JobItems, type JobView } from '../../platform/jobs';
import type { Outbox } from '../../platform/mail/outbox';
import { SELF_ASSESSMENT_CODE, SELF_ASSESSMENT_DEFINITION, SELF_ASSESSMENT_DESCRIPTION, SELF_ASSESSMENT_NAME } from './default-template';
import { newInvitationToken, type TokenSeal } from './invitation-links';
import { pagesOf, type Answers } from './answers';
import { surveyGroupRule, staffReportHasComments, surveyPromise } from './promises';
import { computeResults, type ResultsScope, type SurveyResults } from './results';
import type { SurveysRepository } from './surveys.repository';
import { DEFAULT_STAFF_REPORT_CONTENT, STAFF_REPORTS_PAGE_SIZE, SURVEYS_PAGE_SIZE, type Milestone, type Survey, type SurveyInput } from './surveys.schema';
import { parseDefinition, type DefinitionProblem } from './template.schema';

const DAY_MS = 86_400_000;
export const SURVEY_INVITATIONS_JOB = 'survey-invitations';

interface Invitee {
  readonly email: string;
  readonly locale: string;
}
/**
 * The audience as it was when the survey opened, in random order, is the job's items (read a batch
 * at a time). A job queued before that kept it in its payload, which is still read.
 */
type InvitationsPayload = { readonly surveyId: number; readonly count: number } | { readonly surveyId: number; readonly invitees: ReadonlyArray<Invitee> };
interface InvitationsState {
  readonly next: number;
}
/**
 * Invitations a batch: each is sealed and its e-mail composed inside the batch's transaction, which
 * (on SQLite's one connection) every other request waits behind, so fewer than other jobs' rows.
 */
export const INVITATION_BATCH_SIZE = 50;
/** Reminders and openings are handled a few at a time, so one sweep never holds a long transaction. */
const SWEEP_BATCH = 20;
const REMINDER_BATCH = 500;
const ERASURE_BATCH = 500;

/** What the survey engine needs of working groups. */
export interface SurveyWorkingGroups {
  findGroup(id: number, db?: Knex | Knex.Transaction): Promise<{ id: number; name: string } | undefined>;
  /** One group's reached milestones, with the group locked until `trx` ends. */
  lockMilestonesDue(groupId: number, today: string, trx: Knex.Transaction): Promise<Array<{ groupId: number; milestone: Milestone; templateId: number; days: number }>>;
  members(groupId: number, db?: Knex | Knex.Transaction): Promise<Array<{ email: string }>>;
  supportStaff(groupId: number, db?: Knex | Knex.Transaction): Promise<Array<{ staffMemberId: number }>>;
  milestonesDue(today: string, db?: Knex | Knex.Transaction): Promise<Array<{ groupId: number; milestone: Milestone; templateId: number; days: number }>>;
}

/** One survey's results for one staff member's block, as their input packet shows them. */
export interface StaffBlockResult {
  readonly title: string;
  readonly closedAt: number;
  readonly questions: ReadonlyArray<{ readonly question: string; readonly count: number | null; readonly mean: number | null; readonly suppressed: boolean }>;
}

export interface SurveysDeps {
  knex: Knex;
  repository: SurveysRepository;
  workingGroups: SurveyWorkingGroups;
  /** Every community account with a verified address. */
  communityAudience(db: Knex.Transaction): Promise<Array<{ email: string; locale: string }>>;
  /** A staff member's name and address, and their people manager (first in the chain above). */
  staffMember(id: number, db?: Knex | Knex.Transaction): Promise<{ id: number; name: string; email: string } | undefined>;
  peopleManagerOf(staffMemberId: number, db?: Knex | Knex.Transaction): Promise<number | undefined>;
  seal: TokenSeal;
  jobs: BackgroundJobs;
  outbox: Outbox;
  emails: EmailComposer;
  audit: AuditLog;
  publicUrl: string;
  defaultMinimumGroupSize: number;
  /** Titles of surveys opened at a milestone, in the organisation's default language. */
  translate: Translate;
  now: () => number;
}

/**
 * The milestone whose assessment opens now, of a group's milestones reached (in order) and the
 * surveys its milestones opened: the latest, unless it has its survey or one still runs.
 */
function milestoneToOpen<T extends { milestone: Milestone }>(reached: readonly T[], held: ReadonlyArray<{ milestone: Milestone; status: string }>): T | null {
  const latest = reached.at(-1);
  return latest && !held.some((s) => s.status !== 'closed' || s.milestone === latest.milestone) ? latest : null;
}

const dayOf = (at: number) => DateTime.fromMillis(at, { zone: 'utc' }).toISODate()!;
const startOfDay = (isoDate: string) => DateTime.fromISO(isoDate, { zone: 'utc' }).toMillis();

export function createSurveysService(deps: SurveysDeps) {
  const { knex, repository, workingGroups, outbox, emails, audit, publicUrl, seal, jobs, now } = deps;
  const canManage = (actor: Actor) => hasAnyRole(actor, ['hr', 'admin']);
  const requireManager = (actor: Actor) => {
    if (!canManage(actor)) throw new ForbiddenError();
  };
  const link = (token: string) => `${publicUrl}/s/${token}`;

  async function mustFindSurvey(id: number, db: Knex | Knex.Transaction = knex): Promise<Survey> {
    const survey = await repository.findSurvey(id, db);
    if (!survey) throw new NotFoundError();
    return survey;
  }

  /** Everyone in a survey's audience, each address once, in random order. */
  async function audienceOf(survey: Survey, trx: Knex.Transaction): Promise<Invitee[]> {
    let audience: Invitee[];
    if (survey.audience === 'working_group') {
      audience = (await workingGroups.members(survey.workingGroupId!, trx)).map((m) => ({ email: m.email, locale: DEFAULT_LOCALE }));
      await repository.setStaff(survey.id, (await workingGroups.supportStaff(survey.workingGroupId!, trx)).map((s) => s.staffMemberId), trx);
    } else if (survey.audience === 'community') {
      audience = await deps.communityAudience(trx);
    } else {
      audience = (await repository.audienceAddresses(survey.id, trx)).map((email) => ({ email, locale: DEFAULT_LOCALE }));
    }
    const unique = [...new Map(audience.map((a) => [a.email.toLowerCase(), { email: a.email, locale: a.locale }])).values()];
    // Rows go in in random order: invitation ids must not follow a membership list or an account id.
    for (let i = unique.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [unique[i], unique[j]] = [unique[j]!, unique[i]!];
    }
    return unique;
  }

  /** One batch of invitations, each with its own link, e-mailed in the same transaction it is stored in. */
  async function inviteBatch(payload: InvitationsPayload, state: InvitationsState, trx: Knex.Transaction, audience: JobItems<Invitee>): Promise<{ state: InvitationsState; done: number; finished: boolean }> {
    const survey = await mustFindSurvey(payload.surveyId, trx);
    // Closed while invitations were going out: nobody else is invited to a closed survey.
    if (survey.status !== 'open') return { state, done: state.next, finished: true };
    const invitees = 'invitees' in payload ? payload.invitees.slice(state.next) : await audience.batchFrom(state.next);
    const invitations = invitees.slice(0, INVITATION_BATCH_SIZE).map((a) => ({ ...a, ...newInvitationToken() }));
    const promise = await promiseOf(survey, trx);
    await repository.insertInvitations(
      invitations.map((i) => ({ surveyId: survey.id, tokenHash: i.tokenHash, tokenSealed: seal.seal(i.token), email: i.email, locale: i.locale })),
      trx,
    );
    const closesOn = dayOf(survey.closesAt - 1);
    await outbox.enqueueAll(trx, invitations.map((i) => ({ email: emails.compose('survey-invitation', i.email, i.locale, { title: survey.title, link: link(i.token), closesOn, promise }) })));
    const next = state.next + invitations.length;
    return { state: { next }, done: next, finished: next >= audienceSize(payload) };
  }

  const audienceSize = (payload: InvitationsPayload) => ('invitees' in payload ? payload.invitees.length : payload.count);

  jobs.register<InvitationsPayload, InvitationsState, Invitee>(SURVEY_INVITATIONS_JOB, {
    start: (payload) => ({ total: audienceSize(payload), state: { next: 0 } }),
    step: inviteBatch,
    backUrl: '/surveys',
  });

  /**
   * Opens a survey and queues its invitations as a job, a batch per transaction, so a large
   * audience never holds the database in one long transaction; a small audience (up to JOB_BATCH_SIZE)
   * is invited before this returns.
   */
  async function open(surveyId: number, requestedByAccountId: number | null = null): Promise<boolean> {
    const opened = await knex.transaction(async (trx) => {
      if (!(await repository.setStatus(surveyId, 'scheduled', 'open', trx))) return undefined;
      const survey = await mustFindSurvey(surveyId, trx);
      const invitees = await audienceOf(survey, trx);
      const closes = DateTime.fromMillis(survey.closesAt, { zone: 'utc' });
      const reminders = survey.reminderDays.map((d) => closes.minus({ days: d }).toMillis()).filter((at) => at > now());
      await repository.insertReminders(surveyId, reminders, trx);
      await audit.record({ actorAccountId: null, action: 'survey.open', subjectType: 'survey', subjectId: surveyId, detail: { invited: invitees.length } }, trx);
      const job = await jobs.enqueue<InvitationsPayload, Invitee>(SURVEY_INVITATIONS_JOB, { surveyId, count: invitees.length }, { requestedByAccountId, subject: { type: 'survey', id: surveyId }, trx, items: invitees });
      return { job, invited: invitees.length };
    });
    if (!opened) return false;
    if (opened.invited <= JOB_BATCH_SIZE) await jobs.runOnce({ publicId: opened.job });
    return true;
  }

  async function responses(surveyId: number, db: Knex | Knex.Transaction = knex): Promise<Answers[]> {
    return (await repository.responseAnswers(surveyId, db)).map((a) => parseJsonColumn<Answers>(a));
  }

  async function resultsOf(survey: Survey, db: Knex | Knex.Transaction = knex, options: ResultsScope = {}): Promise<SurveyResults> {
    const version = (await repository.findVersion(survey.templateVersionId, db))!;
    return computeResults(version.definition, await repository.staffOf(survey.id, db), await responses(survey.id, db), surveyGroupRule(survey, deps.defaultMinimumGroupSize), options);
  }

  /** What respondents are told about who reads their answers (see promises.ts). */
  async function promiseOf(survey: Survey, db: Knex | Knex.Transaction = knex) {
    const version = (await repository.findVersion(survey.templateVersionId, db))!;
    const asksAboutStaff = pagesOf(version.definition, await repository.staffOf(survey.id, db)).some((p) => p.staff !== undefined);
    return surveyPromise(survey, deps.defaultMinimumGroupSize, asksAboutStaff);
  }

  /** Each support staff member's block goes to their people manager, as routed feedback does. */
  async function deliverStaffReports(survey: Survey, trx: Knex.Transaction): Promise<void> {
    for (const staff of await repository.staffOf(survey.id, trx)) {
      const recipient = await deps.peopleManagerOf(staff.id, trx);
      const reportId = await repository.insertStaffReport({ surveyId: survey.id, staffMemberId: staff.id, recipientStaffMemberId: recipient ?? null }, trx);
      const manager = recipient === undefined ? undefined : await deps.staffMember(recipient, trx);
      if (manager) {
        await outbox.enqueue(trx, emails.compose('survey-staff-report', manager.email, DEFAULT_LOCALE, { title: survey.title, staffName: staff.name, content: survey.staffReportContent, link: `${publicUrl}/surveys/staff-reports/${reportId}` }));
      }
    }
  }

  async function close(surveyId: number, actor: Actor | null): Promise<boolean> {
    const closed = await knex.transaction(async (trx) => {
      if (!(await repository.setStatus(surveyId, 'open', 'closed', trx))) return false;
      const survey = await mustFindSurvey(surveyId, trx);
      if (survey.closesAt > now()) await repository.setClosesAt(surveyId, now(), trx);
      await deliverStaffReports(survey, trx);
      if (survey.repeatMonths !== null) await scheduleNextRun(survey, trx);
      await audit.record({ actorAccountId: actor?.accountId ?? null, action: 'survey.close', subjectType: 'survey', subjectId: surveyId }, trx);
      return true;
    });
    if (closed) await forgetInvitees(surveyId);
    return closed;
  }

  /**
   * Erases a closed survey's invitees a batch at a time, each batch its own short statement, so a
   * large audience holds no request up (SQLite has one writer). Closing has already stopped links
   * and reminders; a run cut short is finished by the next sweep.
   */
  async function forgetInvitees(surveyId: number): Promise<void> {
    while ((await repository.forgetInvitees(surveyId, ERASURE_BATCH)) === ERASURE_BATCH);
    // The next run has its copy of a list audience; this run's is no longer needed.
    while ((await repository.forgetAudienceAddresses(surveyId, ERASURE_BATCH)) === ERASURE_BATCH);
    await repository.markInviteesErased(surveyId);
  }

  async function forgetClosedInvitees(): Promise<number> {
    const surveys = await repository.closedHoldingInvitees(SWEEP_BATCH);
    for (const id of surveys) await forgetInvitees(id);
    return surveys.length;
  }

  /** A periodic survey: the same audience again, on the template's latest version. */
  async function scheduleNextRun(survey: Survey, trx: Knex.Transaction): Promise<void> {
    const version = (await repository.findVersion(survey.templateVersionId, trx))!;
    const latest = (await repository.latestVersion(version.templateId, trx))!;
    const opens = DateTime.fromMillis(survey.opensAt, { zone: 'utc' }).plus({ months: survey.repeatMonths! });
    const id = await repository.insertSurvey(
      {
        ...survey,
        templateVersionId: latest.id,
        opensAt: opens.toMillis(),
        closesAt: opens.plus({ milliseconds: survey.closesAt - survey.opensAt }).toMillis(),
        createdByAccountId: null,
      },
      trx,
    );
    if (survey.audience === 'list') await repository.setAudienceAddresses(id, await repository.audienceAddresses(survey.id, trx), trx);
  }

  /**
   * Decides, with the group's row locked (so two sweeps in two processes decide one after the
   * other), whether a milestone opens an assessment now; returns the new survey, still to be opened.
   * A group has one milestone assessment at a time, about the latest milestone reached: when several
   * are recorded at once (a late entry), the earlier ones are passed without a survey; a milestone
   * reached while an assessment still runs waits for it to close. The unique (group, milestone) pair
   * keeps each milestone to one survey even so.
   */
  async function startMilestoneAssessment(groupId: number, trx: Knex.Transaction): Promise<number | null> {
    const reached = await workingGroups.lockMilestonesDue(groupId, dayOf(now()), trx);
    const held = await repository.milestoneSurveys(groupId, trx);
    const latest = milestoneToOpen(reached, held);
    if (!latest) return null;
    const group = await workingGroups.findGroup(groupId, trx);
    const version = await repository.latestVersion(latest.templateId, trx);
    if (!group || !version) return null;
    const surveyId = await repository.insertSurvey(
      {
        title: deps.translate(`surveys.milestoneTitle.${latest.milestone}`, { group: group.name.slice(0, 160) }),
        templateVersionId: version.id,
        audience: 'working_group',
        workingGroupId: group.id,
        milestone: latest.milestone,
        minimumGroupSize: deps.defaultMinimumGroupSize,
        staffReportContent: DEFAULT_STAFF_REPORT_CONTENT,
        opensAt: now(),
        closesAt: now() + latest.days * DAY_MS,
        reminderDays: [7, 2].filter((d) => d < latest.days),
        repeatMonths: null,
        createdByAccountId: null,
      },
      trx,
    );
    const passed = reached.slice(0, -1).filter((m) => !held.some((s) => s.milestone === m.milestone)).map((m) => m.milestone);
    await audit.record({ actorAccountId: null, action: 'survey.create', subjectType: 'survey', subjectId: surveyId, detail: { workingGroupId: group.id, milestone: latest.milestone, ...(passed.length ? { passed } : {}) } }, trx);
    return surveyId;
  }

  async function openForMilestones(): Promise<number> {
    let opened = 0;
    const due = await workingGroups.milestonesDue(dayOf(now()));
    for (const groupId of new Set(due.map((d) => d.groupId))) {
      // Most groups have nothing to open: only those are locked and decided again.
      if (!milestoneToOpen(due.filter((d) => d.groupId === groupId), await repository.milestoneSurveys(groupId))) continue;
      const id = await knex.transaction((trx) => startMilestoneAssessment(groupId, trx));
      if (id !== null && (await open(id))) opened++;
    }
    return opened;
  }

  async function sendDueReminders(): Promise<number> {
    let sent = 0;
    for (const reminder of await repository.dueReminders(now(), SWEEP_BATCH)) {
      const survey = await mustFindSurvey(reminder.surveyId);
      const closesOn = dayOf(survey.closesAt - 1);
      // Batches: each invitation records the last reminder it had, so a rerun never sends one twice.
      for (;;) {
        const batch = await knex.transaction(async (trx) => {
          const due = await repository.takeForReminder(survey.id, reminder.sequence, REMINDER_BATCH, trx);
          for (const invitation of due) {
            await outbox.enqueue(trx, emails.compose('survey-reminder', invitation.email, invitation.locale, { title: survey.title, link: link(seal.open(invitation.tokenSealed)), closesOn }));
          }
          if (due.length < REMINDER_BATCH) await repository.markReminderSent(reminder.id, trx);
          return due.length;
        });
        sent += batch;
        if (batch < REMINDER_BATCH) break;
      }
    }
    return sent;
  }

  return {
    /** Adds the shipped Working Group Self-Assessment once (safe when several processes start together). */
    async ensureDefaultTemplate(): Promise<void> {
      if (await repository.templateIdByCode(SELF_ASSESSMENT_CODE)) return;
      try {
        await knex.transaction(async (trx) => {
          const id = await repository.insertTemplate({ code: SELF_ASSESSMENT_CODE, name: SELF_ASSESSMENT_NAME, description: SELF_ASSESSMENT_DESCRIPTION }, trx);
          await repository.insertVersion(id, SELF_ASSESSMENT_DEFINITION, null, trx);
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },

    listTemplates: () => repository.listTemplates(),

    async template(actor: Actor, id: number) {
      requireManager(actor);
      const template = await repository.findTemplate(id);
      if (!template) throw new NotFoundError();
      return { template, latest: (await repository.latestVersion(id))!, versions: await repository.versions(id) };
    },

    async version(actor: Actor, id: number) {
      requireManager(actor);
      const version = await repository.findVersion(id);
      if (!version) throw new NotFoundError();
      return version;
    },

    /** A new template, or the next version of one: earlier versions, and surveys using them, never change. */
    async saveTemplate(actor: Actor, input: { name: string; description: string; definition: string }, templateId?: number): Promise<{ templateId: number } | { problems: DefinitionProblem[] }> {
      requireManager(actor);
      const parsed = parseDefinition(input.definition);
      if ('problems' in parsed) return parsed;
      return knex.transaction(async (trx) => {
        let id = templateId;
        if (id === undefined) id = await repository.insertTemplate({ code: null, name: input.name, description: input.description }, trx);
        else {
          if (!(await repository.findTemplate(id, trx))) throw new NotFoundError();
          await repository.updateTemplate(id, { name: input.name, description: input.description }, trx);
        }
        const versionId = await repository.insertVersion(id, parsed.definition, actor.accountId, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'survey.template.save', subjectType: 'survey_template', subjectId: id, detail: { versionId } }, trx);
        return { templateId: id };
      });
    },

    async createSurvey(actor: Actor, input: SurveyInput): Promise<number> {
      requireManager(actor);
      const version = await repository.latestVersion(input.templateId);
      if (!version) throw new ValidationError({ templateId: 'surveys.errors.templateRequired' });
      if (input.audience === 'working_group' && !(await workingGroups.findGroup(input.workingGroupId!))) throw new ValidationError({ workingGroupId: 'surveys.errors.groupRequired' });
      const today = dayOf(now());
      if (input.closesOn <= today) throw new ValidationError({ closesOn: 'surveys.errors.closesInPast' });
      if (input.minimumGroupSize < deps.defaultMinimumGroupSize) throw new ValidationError({ minimumGroupSize: 'surveys.errors.minimumBelowOrganisation' });
      const staffCount = input.audience === 'working_group' ? (await workingGroups.supportStaff(input.workingGroupId!)).length : 0;
      // A template of per-staff sections only has nothing to ask an audience without support staff.
      if (version.definition.sections.every((section) => section.perStaff) && staffCount === 0) throw new ValidationError({ templateId: 'surveys.errors.templateNeedsStaff' });
      const id = await knex.transaction(async (trx) => {
        const surveyId = await repository.insertSurvey(
          {
            title: input.title,
            templateVersionId: version.id,
            audience: input.audience,
            workingGroupId: input.audience === 'working_group' ? input.workingGroupId : null,
            milestone: null,
            minimumGroupSize: input.minimumGroupSize,
            staffReportContent: input.staffReportContent,
            opensAt: input.opensOn <= today ? now() : startOfDay(input.opensOn),
            // Open through the whole closing day (UTC).
            closesAt: startOfDay(input.closesOn) + DAY_MS,
            reminderDays: input.reminderDays,
            repeatMonths: input.repeatMonths,
            createdByAccountId: actor.accountId,
          },
          trx,
        );
        if (input.audience === 'list') await repository.setAudienceAddresses(surveyId, input.addresses, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'survey.create', subjectType: 'survey', subjectId: surveyId, detail: { audience: input.audience, templateVersionId: version.id } }, trx);
        return surveyId;
      });
      if (input.opensOn <= today) await open(id, actor.accountId);
      return id;
    },

    async list(actor: Actor, page: number) {
      requireManager(actor);
      return repository.listSurveys(page, SURVEYS_PAGE_SIZE);
    },

    async survey(actor: Actor, id: number) {
      requireManager(actor);
      const survey = await mustFindSurvey(id);
      const version = (await repository.findVersion(survey.templateVersionId))!;
      const template = (await repository.findTemplate(version.templateId))!;
      const group = survey.workingGroupId ? await workingGroups.findGroup(survey.workingGroupId) : undefined;
      const progress = (await repository.progress([id])).get(id) ?? { invited: 0, responded: 0 };
      const invitations = await jobs.latestFor(SURVEY_INVITATIONS_JOB, { type: 'survey', id });
      // Only while invitations are still going out: afterwards the progress above says it all.
      const inviting: JobView | undefined = invitations && (invitations.status === 'pending' || invitations.status === 'running') ? invitations : undefined;
      return { survey, version, template, group, progress, inviting, staff: await repository.staffOf(id), promise: await promiseOf(survey) };
    },

    async closeNow(actor: Actor, id: number): Promise<void> {
      requireManager(actor);
      const survey = await mustFindSurvey(id);
      if (survey.status !== 'open') throw new ConflictError('surveys.errors.notOpen');
      await close(id, actor);
    },

    /** Results exist once a survey has closed: figures that moved while it was open would let anyone difference two views. */
    async results(actor: Actor, id: number, options: { exporting?: 'csv' | 'xlsx' } = {}): Promise<{ survey: Survey; results: SurveyResults }> {
      // Content, not configuration: HR reads results; admins run surveys but do not read what was said.
      if (!hasAnyRole(actor, ['hr'])) throw new ForbiddenError();
      const survey = await mustFindSurvey(id);
      if (survey.status !== 'closed') throw new ConflictError('surveys.errors.resultsAfterClose');
      await audit.record({
        actorAccountId: actor.accountId,
        action: options.exporting ? 'survey.results.export' : 'survey.results.view',
        subjectType: 'survey',
        subjectId: id,
        ...(options.exporting ? { detail: { format: options.exporting } } : {}),
      });
      // An HR reader who supported the group does not read the answers about themselves.
      return { survey, results: await resultsOf(survey, knex, { exceptStaff: actor.staffMemberId }) };
    },

    /** The staff reports a manager received (HR sees all of them but their own), a page at a time. */
    async staffReports(actor: Actor, page: number) {
      if (hasAnyRole(actor, ['hr'])) return repository.staffReportsPage({ exceptStaffMemberId: actor.staffMemberId }, page, STAFF_REPORTS_PAGE_SIZE);
      if (actor.staffMemberId === null) return { items: [], page: 1, pageSize: STAFF_REPORTS_PAGE_SIZE, total: 0, pageCount: 1 };
      return repository.staffReportsPage({ recipientStaffMemberId: actor.staffMemberId }, page, STAFF_REPORTS_PAGE_SIZE);
    },

    async staffReport(actor: Actor, id: number) {
      const [report] = await repository.staffReports({ id });
      // Not the recipient (nor HR), or the staff member it is about, HR or not: the same answer as a report that does not exist.
      const own = actor.staffMemberId !== null && report?.staffMemberId === actor.staffMemberId;
      if (!report || own || !(hasAnyRole(actor, ['hr']) || (actor.staffMemberId !== null && report.recipientStaffMemberId === actor.staffMemberId))) throw new NotFoundError();
      const survey = await mustFindSurvey(report.surveyId);
      await audit.record({ actorAccountId: actor.accountId, action: 'survey.staff_report.view', subjectType: 'survey_staff_report', subjectId: id, detail: { staffMemberId: report.staffMemberId } });
      return { report, survey, results: await resultsOf(survey, knex, { onlyStaff: report.staffMemberId, comments: staffReportHasComments(survey.staffReportContent) }) };
    },

    /** Opens due surveys (scheduled, or for a milestone reached), sends due reminders, closes surveys past their date. */
    async sweep(): Promise<{ opened: number; reminded: number; closed: number }> {
      // One survey that fails (and keeps failing) must not hold up the others: each step runs, and
      // the first failure is reported once all have had their turn.
      const failures: unknown[] = [];
      const attempt = async <T>(step: () => Promise<T>, otherwise: T): Promise<T> => {
        try {
          return await step();
        } catch (err) {
          failures.push(err);
          return otherwise;
        }
      };
      let opened = 0;
      let closed = 0;
      for (const id of await repository.due('scheduled', now(), SWEEP_BATCH)) if (await attempt(() => open(id), false)) opened++;
      opened += await attempt(openForMilestones, 0);
      const reminded = await attempt(sendDueReminders, 0);
      for (const id of await repository.due('open', now(), SWEEP_BATCH)) if (await attempt(() => close(id, null), false)) closed++;
      await attempt(forgetClosedInvitees, 0);
      if (failures.length > 0) throw failures[0];
      return { opened, reminded, closed };
    },

    groupSurveys: (groupId: number) => repository.surveysOfGroup(groupId),

    /**
     * Staff members' blocks in the surveys that closed in a period, as their input packets show
     * them (each staff member's newest report first): each survey's results are computed once for
     * all of them, in a fixed number of statements however many staff members and surveys.
     */
    async staffResultsBetween(staffMemberIds: readonly number[], period: { from: number; to: number }): Promise<Map<number, StaffBlockResult[]>> {
      const reports = staffMemberIds.length === 0 ? [] : await repository.staffReports({ staffMemberIds, closedBetween: period });
      const surveyIds = [...new Set(reports.map((r) => r.surveyId))];
      const surveys = await repository.surveysByIds(surveyIds);
      const versions = await repository.versionsByIds([...new Set([...surveys.values()].map((s) => s.templateVersionId))]);
      const staff = await repository.staffOfSurveys(surveyIds);
      const answers = await repository.responseAnswersOf(surveyIds);
      const results = new Map(
        [...surveys.values()].map((survey) => [
          survey.id,
          computeResults(versions.get(survey.templateVersionId)!.definition, staff.get(survey.id) ?? [], (answers.get(survey.id) ?? []).map((a) => parseJsonColumn<Answers>(a)), surveyGroupRule(survey, deps.defaultMinimumGroupSize)),
        ]),
      );
      const found = new Map<number, StaffBlockResult[]>(staffMemberIds.map((id) => [id, []]));
      for (const report of reports) {
        const survey = surveys.get(report.surveyId)!;
        const of = results.get(survey.id)!;
        found.get(report.staffMemberId)!.push({
          title: survey.title,
          closedAt: survey.closedAt!,
          questions: of.questions
            .filter((q) => q.staff?.id === report.staffMemberId && q.scale !== null)
            .map((q) => ({ question: q.statement ? `${q.question}: ${q.statement}` : q.question, count: q.scale && !q.scale.suppressed ? q.scale.count : null, mean: q.scale && !q.scale.suppressed ? q.scale.mean : null, suppressed: !of.shown || (q.scale?.suppressed ?? true) })),
        });
      }
      return found;
    },
  };
}

export type SurveysService = ReturnType<typeof createSurveysService>;
