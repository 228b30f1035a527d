import type { Knex } from 'knex';
import { parseJsonColumn, toBoolean, toNullableNumber } from '../../platform/db/json';
import { pageCountOf, type Page } from '../../platform/http/forms';
import type { TemplateDefinition } from './template.schema';
import type { Audience, Invitation, Milestone, StaffReport, StaffReportContent, Survey, SurveyProgress, SurveyStatus, SurveyTemplate, TemplateVersion } from './surveys.schema';

type Db = Knex | Knex.Transaction;

/** An invitation that still holds what closing a survey erases. */
const holdsInvitee = (q: Knex.QueryBuilder) => q.whereNotNull('email').orWhereNotNull('draft').orWhereNot('token_sealed', '');

const SURVEY_COLUMNS = ['id', 'title', 'template_version_id', 'audience', 'working_group_id', 'milestone', 'minimum_group_size', 'staff_report_content', 'status', 'opens_at', 'closes_at', 'reminder_days', 'repeat_months', 'created_at', 'closed_at'];

function toSurvey(r: Record<string, unknown>): Survey {
  return {
    id: Number(r.id),
    title: String(r.title),
    templateVersionId: Number(r.template_version_id),
    audience: r.audience as Audience,
    workingGroupId: toNullableNumber(r.working_group_id),
    milestone: (r.milestone ?? null) as Milestone | null,
    minimumGroupSize: Number(r.minimum_group_size),
    staffReportContent: r.staff_report_content as StaffReportContent,
    status: r.status as SurveyStatus,
    opensAt: Number(r.opens_at),
    closesAt: Number(r.closes_at),
    reminderDays: String(r.reminder_days ?? '').split(',').filter(Boolean).map(Number),
    repeatMonths: toNullableNumber(r.repeat_months),
    createdAt: Number(r.created_at),
    closedAt: toNullableNumber(r.closed_at),
  };
}

function toVersion(r: Record<string, unknown>): TemplateVersion {
  return { id: Number(r.id), templateId: Number(r.template_id), version: Number(r.version), definition: parseJsonColumn<TemplateDefinition>(r.definition), createdAt: Number(r.created_at) };
}

export type NewSurvey = Omit<Survey, 'id' | 'status' | 'createdAt' | 'closedAt'> & { createdByAccountId: number | null };

/** Which staff reports: received by, about (or not about) a staff member, or one by id. */
export interface StaffReportFilter {
  readonly recipientStaffMemberId?: number;
  readonly staffMemberId?: number;
  readonly staffMemberIds?: readonly number[];
  /** Only reports of surveys that closed in this period (epoch ms, from included, to excluded). */
  readonly closedBetween?: { readonly from: number; readonly to: number };
  readonly exceptStaffMemberId?: number | null;
  readonly id?: number;
}

function staffReportsMatching(filter: StaffReportFilter, db: Db) {
  const query = db('survey_staff_reports as r');
  if (filter.recipientStaffMemberId !== undefined) query.where('r.recipient_staff_member_id', filter.recipientStaffMemberId);
  if (filter.staffMemberId !== undefined) query.where('r.staff_member_id', filter.staffMemberId);
  if (filter.staffMemberIds !== undefined) query.whereIn('r.staff_member_id', filter.staffMemberIds);
  const closed = filter.closedBetween;
  if (closed) query.whereIn('r.survey_id', db('surveys').select('id').where('closed_at', '>=', closed.from).andWhere('closed_at', '<', closed.to));
  if (filter.exceptStaffMemberId != null) query.whereNot('r.staff_member_id', filter.exceptStaffMemberId);
  if (filter.id !== undefined) query.where('r.id', filter.id);
  return query;
}

async function staffReportRows(filter: StaffReportFilter, db: Db, range?: { limit: number; offset: number }): Promise<StaffReport[]> {
  const query = staffReportsMatching(filter, db)
    .join('surveys as s', 's.id', 'r.survey_id')
    .join('staff_members as m', 'm.id', 'r.staff_member_id')
    .select('r.id', 'r.survey_id', 's.title', 'r.staff_member_id', 'm.name', 'r.recipient_staff_member_id', 'r.created_at')
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc');
  if (range) query.limit(range.limit).offset(range.offset);
  return (await query).map((r) => ({
    id: Number(r.id),
    surveyId: Number(r.survey_id),
    surveyTitle: String(r.title),
    staffMemberId: Number(r.staff_member_id),
    staffName: String(r.name),
    recipientStaffMemberId: toNullableNumber(r.recipient_staff_member_id),
    createdAt: Number(r.created_at),
  }));
}

export function createSurveysRepository(knex: Knex, now: () => number) {
  return {
    // Templates and their immutable versions.
    async listTemplates(db: Db = knex): Promise<SurveyTemplate[]> {
      const rows = await db('survey_templates as t')
        .join('survey_template_versions as v', 'v.template_id', 't.id')
        .groupBy('t.id', 't.code', 't.name', 't.description', 't.archived')
        .select('t.id', 't.code', 't.name', 't.description', 't.archived')
        .max({ latest: 'v.version' })
        .orderBy('t.name');
      return (rows as Array<Record<string, unknown>>).map((r) => ({ id: Number(r.id), code: r.code == null ? null : String(r.code), name: String(r.name), description: String(r.description), archived: toBoolean(r.archived), latestVersion: Number(r.latest) }));
    },

    async findTemplate(id: number, db: Db = knex): Promise<SurveyTemplate | undefined> {
      return (await this.listTemplates(db)).find((t) => t.id === id);
    },

    async templateIdByCode(code: string, db: Db = knex): Promise<number | undefined> {
      const row = await db('survey_templates').select('id').where({ code }).first();
      return row ? Number(row.id) : undefined;
    },

    async insertTemplate(fields: { code: string | null; name: string; description: string }, db: Db): Promise<number> {
      const [id] = await db('survey_templates').insert({ code: fields.code, name: fields.name, description: fields.description, archived: false, created_at: now() });
      return Number(id);
    },

    async updateTemplate(id: number, fields: { name: string; description: string; archived?: boolean }, db: Db): Promise<void> {
      await db('survey_templates').where({ id }).update(fields);
    },

    async insertVersion(templateId: number, definition: TemplateDefinition, accountId: number | null, db: Db): Promise<number> {
      const last = await db('survey_template_versions').where({ template_id: templateId }).max({ n: 'version' }).first();
      const [id] = await db('survey_template_versions').insert({
        template_id: templateId,
        version: Number(last?.n ?? 0) + 1,
        definition: JSON.stringify(definition),
        created_by_account_id: accountId,
        created_at: now(),
      });
      return Number(id);
    },

    async findVersion(id: number, db: Db = knex): Promise<TemplateVersion | undefined> {
      return (await this.versionsByIds([id], db)).get(id);
    },

    async versionsByIds(ids: readonly number[], db: Db = knex): Promise<Map<number, TemplateVersion>> {
      const rows = ids.length === 0 ? [] : await db('survey_template_versions').select('id', 'template_id', 'version', 'definition', 'created_at').whereIn('id', ids);
      return new Map(rows.map((r) => [Number(r.id), toVersion(r)]));
    },

    async latestVersion(templateId: number, db: Db = knex): Promise<TemplateVersion | undefined> {
      const row = await db('survey_template_versions').select('id', 'template_id', 'version', 'definition', 'created_at').where({ template_id: templateId }).orderBy('version', 'desc').first();
      return row ? toVersion(row) : undefined;
    },

    async versions(templateId: number, db: Db = knex): Promise<Array<{ id: number; version: number; createdAt: number; surveys: number }>> {
      const rows = await db('survey_template_versions as v')
        .leftJoin('surveys as s', 's.template_version_id', 'v.id')
        .where('v.template_id', templateId)
        .groupBy('v.id', 'v.version', 'v.created_at')
        .select('v.id', 'v.version', 'v.created_at')
        .count({ surveys: 's.id' })
        .orderBy('v.version', 'desc');
      return (rows as Array<Record<string, unknown>>).map((r) => ({ id: Number(r.id), version: Number(r.version), createdAt: Number(r.created_at), surveys: Number(r.surveys) }));
    },

    // Surveys.
    async insertSurvey(survey: NewSurvey, db: Db): Promise<number> {
      const [id] = await db('surveys').insert({
        title: survey.title,
        template_version_id: survey.templateVersionId,
        audience: survey.audience,
        working_group_id: survey.workingGroupId,
        milestone: survey.milestone,
        minimum_group_size: survey.minimumGroupSize,
        staff_report_content: survey.staffReportContent,
        status: 'scheduled',
        opens_at: survey.opensAt,
        closes_at: survey.closesAt,
        reminder_days: survey.reminderDays.join(','),
        repeat_months: survey.repeatMonths,
        created_by_account_id: survey.createdByAccountId,
        created_at: now(),
      });
      return Number(id);
    },

    /** `forShare` inside a transaction: many submits read together while a close (an update) waits for them. */
    async findSurvey(id: number, db: Db = knex, options: { forShare?: boolean } = {}): Promise<Survey | undefined> {
      let query = db('surveys').select(SURVEY_COLUMNS).where({ id });
      if (options.forShare && db.client.config.client === 'mysql2') query = query.forShare();
      const row = await query.first();
      return row ? toSurvey(row) : undefined;
    },

    async listSurveys(page: number, pageSize: number, db: Db = knex): Promise<Page<Survey & SurveyProgress>> {
      const total = Number((await db('surveys').count({ n: '*' }).first())?.n ?? 0);
      const rows = await db('surveys').select(SURVEY_COLUMNS).orderBy('opens_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize);
      const progress = await this.progress(rows.map((r) => Number(r.id)), db);
      return {
        items: rows.map((r) => ({ ...toSurvey(r), ...(progress.get(Number(r.id)) ?? { invited: 0, responded: 0 }) })),
        page,
        pageSize,
        total,
        pageCount: pageCountOf(total, pageSize),
      };
    },

    async surveysOfGroup(workingGroupId: number, db: Db = knex): Promise<Survey[]> {
      return (await db('surveys').select(SURVEY_COLUMNS).where({ working_group_id: workingGroupId }).orderBy('opens_at', 'desc')).map(toSurvey);
    },

    async progress(surveyIds: readonly number[], db: Db = knex): Promise<Map<number, SurveyProgress>> {
      if (surveyIds.length === 0) return new Map();
      const rows = await db('survey_invitations').whereIn('survey_id', surveyIds).groupBy('survey_id').select('survey_id').count({ invited: '*' }).sum({ responded: db.raw('CASE WHEN has_responded THEN 1 ELSE 0 END') });
      return new Map((rows as Array<Record<string, unknown>>).map((r) => [Number(r.survey_id), { invited: Number(r.invited), responded: Number(r.responded ?? 0) }]));
    },

    async setStatus(id: number, from: SurveyStatus, to: SurveyStatus, db: Db): Promise<boolean> {
      const changes: Record<string, unknown> = { status: to };
      if (to === 'closed') changes.closed_at = now();
      return (await db('surveys').where({ id, status: from }).update(changes)) === 1;
    },

    async setClosesAt(id: number, closesAt: number, db: Db): Promise<void> {
      await db('surveys').where({ id }).update({ closes_at: closesAt });
    },

    /** Surveys whose time has come to open or to close (the sweep claims them one by one). */
    async due(status: 'scheduled' | 'open', at: number, limit: number, db: Db = knex): Promise<number[]> {
      const column = status === 'scheduled' ? 'opens_at' : 'closes_at';
      return (await db('surveys').select('id').where('status', status).andWhere(column, '<=', at).orderBy(column).limit(limit)).map((r) => Number(r.id));
    },

    /** The surveys a group's milestones opened, with where each stands. */
    async milestoneSurveys(workingGroupId: number, db: Db = knex): Promise<Array<{ milestone: Milestone; status: SurveyStatus }>> {
      const rows = await db('surveys').select('milestone', 'status').where({ working_group_id: workingGroupId }).whereNotNull('milestone');
      return rows.map((r) => ({ milestone: r.milestone as Milestone, status: r.status as SurveyStatus }));
    },

    async setStaff(surveyId: number, staffMemberIds: readonly number[], db: Db): Promise<void> {
      await db('survey_staff').where({ survey_id: surveyId }).delete();
      if (staffMemberIds.length > 0) await db('survey_staff').insert(staffMemberIds.map((id, position) => ({ survey_id: surveyId, staff_member_id: id, position })));
    },

    async staffOf(surveyId: number, db: Db = knex): Promise<Array<{ id: number; name: string }>> {
      return (await this.staffOfSurveys([surveyId], db)).get(surveyId) ?? [];
    },

    /** Each survey's staff, in the survey's order. */
    async staffOfSurveys(surveyIds: readonly number[], db: Db = knex): Promise<Map<number, Array<{ id: number; name: string }>>> {
      const staff = new Map<number, Array<{ id: number; name: string }>>();
      if (surveyIds.length === 0) return staff;
      const rows = await db('survey_staff as ss').join('staff_members as m', 'm.id', 'ss.staff_member_id').whereIn('ss.survey_id', surveyIds).select('ss.survey_id', 'm.id', 'm.name').orderBy('ss.survey_id').orderBy('ss.position');
      for (const r of rows) {
        const of = staff.get(Number(r.survey_id)) ?? [];
        of.push({ id: Number(r.id), name: String(r.name) });
        staff.set(Number(r.survey_id), of);
      }
      return staff;
    },

    async setAudienceAddresses(surveyId: number, emails: readonly string[], db: Db): Promise<void> {
      await db('survey_audience_addresses').where({ survey_id: surveyId }).delete();
      for (let i = 0; i < emails.length; i += 500) await db('survey_audience_addresses').insert(emails.slice(i, i + 500).map((email) => ({ survey_id: surveyId, email })));
    },

    async audienceAddresses(surveyId: number, db: Db = knex): Promise<string[]> {
      return (await db('survey_audience_addresses').select('email').where({ survey_id: surveyId }).orderBy('email')).map((r) => String(r.email));
    },

    // Invitations.
    async insertInvitations(rows: ReadonlyArray<{ surveyId: number; tokenHash: string; tokenSealed: string; email: string; locale: string }>, db: Db): Promise<void> {
      for (let i = 0; i < rows.length; i += 500) {
        await db('survey_invitations').insert(
          rows.slice(i, i + 500).map((r) => ({ survey_id: r.surveyId, token_hash: r.tokenHash, token_sealed: r.tokenSealed, email: r.email, locale: r.locale, has_responded: false, reminders_sent: 0 })),
        );
      }
    },

    /** The invitation a link's secret opens, with its survey, in one read. */
    async findLinkByTokenHash(tokenHash: string, db: Db = knex): Promise<{ invitation: Invitation; survey: Survey } | undefined> {
      const row = await db('survey_invitations as i')
        .join('surveys as s', 's.id', 'i.survey_id')
        .select(
          'i.id as invitation_id',
          'i.locale as invitation_locale',
          'i.has_responded',
          'i.draft',
          ...SURVEY_COLUMNS.map((c) => `s.${c}`),
        )
        .where('i.token_hash', tokenHash)
        .first();
      if (!row) return undefined;
      const survey = toSurvey(row);
      return { invitation: { id: Number(row.invitation_id), surveyId: survey.id, locale: String(row.invitation_locale), hasResponded: toBoolean(row.has_responded), draft: row.draft ?? null }, survey };
    },

    /** Only while the survey is open: a save racing the close must not write back what the close erased. */
    async saveDraft(invitationId: number, draft: string, db: Db = knex): Promise<void> {
      await db('survey_invitations')
        .where({ id: invitationId, has_responded: false })
        .whereExists((q) => q.select(db.raw('1')).from('surveys').whereRaw('surveys.id = survey_invitations.survey_id').andWhere('surveys.status', 'open'))
        .update({ draft });
    },

    /** Marks the invitation used; false when another submit got there first. */
    async markResponded(invitationId: number, db: Db): Promise<boolean> {
      return (await db('survey_invitations').where({ id: invitationId, has_responded: false }).update({ has_responded: true, draft: null })) === 1;
    },

    /** Who still has not answered and has not yet had reminder `sequence` (at most `limit` at once). */
    async takeForReminder(surveyId: number, sequence: number, limit: number, db: Knex.Transaction): Promise<Array<{ id: number; email: string; locale: string; tokenSealed: string }>> {
      let query = db('survey_invitations').select('id', 'email', 'locale', 'token_sealed').where({ survey_id: surveyId, has_responded: false }).andWhere('reminders_sent', '<', sequence).whereNotNull('email').orderBy('id').limit(limit);
      if (db.client.config.client === 'mysql2') query = query.forUpdate().skipLocked();
      const rows = await query;
      if (rows.length > 0) await db('survey_invitations').whereIn('id', rows.map((r) => Number(r.id))).andWhere('reminders_sent', '<', sequence).update({ reminders_sent: sequence });
      return rows.map((r) => ({ id: Number(r.id), email: String(r.email), locale: String(r.locale), tokenSealed: String(r.token_sealed) }));
    },

    /**
     * At close: addresses, saved drafts, link secrets, languages and reminder counts are no longer
     * needed, so they go (a reminder count would say between which reminders someone answered).
     */
    /** Erases up to `limit` of a survey's invitees (address, link, draft); says how many. */
    async forgetInvitees(surveyId: number, limit: number): Promise<number> {
      const ids = (await knex('survey_invitations').select('id').where({ survey_id: surveyId }).where(holdsInvitee).limit(limit)).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      await knex('survey_invitations').whereIn('id', ids).update({ email: null, draft: null, token_sealed: '', locale: 'en', reminders_sent: 0 });
      return ids.length;
    },

    /** Deletes up to `limit` of a survey's list-audience addresses; says how many. */
    async forgetAudienceAddresses(surveyId: number, limit: number): Promise<number> {
      const emails = (await knex('survey_audience_addresses').select('email').where({ survey_id: surveyId }).limit(limit)).map((r) => String(r.email));
      if (emails.length === 0) return 0;
      await knex('survey_audience_addresses').where({ survey_id: surveyId }).whereIn('email', emails).delete();
      return emails.length;
    },

    /** Closed surveys whose invitees' erasure has not finished (it was cut short). */
    async closedHoldingInvitees(limit: number): Promise<number[]> {
      return (await knex('surveys').select('id').where({ status: 'closed' }).whereNull('invitees_erased_at').orderBy('id').limit(limit)).map((r) => Number(r.id));
    },

    async markInviteesErased(surveyId: number): Promise<void> {
      await knex('surveys').where({ id: surveyId }).update({ invitees_erased_at: now() });
    },

    // Reminders.
    async insertReminders(surveyId: number, dueTimes: readonly number[], db: Db): Promise<void> {
      if (dueTimes.length > 0) await db('survey_reminders').insert(dueTimes.map((dueAt, i) => ({ survey_id: surveyId, sequence: i + 1, due_at: dueAt })));
    },

    async dueReminders(at: number, limit: number, db: Db = knex): Promise<Array<{ id: number; surveyId: number; sequence: number }>> {
      const rows = await db('survey_reminders as r')
        .join('surveys as s', 's.id', 'r.survey_id')
        .whereNull('r.sent_at')
        .andWhere('r.due_at', '<=', at)
        .andWhere('s.status', 'open')
        .select('r.id', 'r.survey_id', 'r.sequence')
        .orderBy('r.due_at')
        .limit(limit);
      return rows.map((r) => ({ id: Number(r.id), surveyId: Number(r.survey_id), sequence: Number(r.sequence) }));
    },

    async markReminderSent(id: number, db: Db): Promise<void> {
      await db('survey_reminders').where({ id }).update({ sent_at: now() });
    },

    // Responses: no invitation id, a random key, the day only.
    async insertResponse(response: { id: string; surveyId: number; submittedOn: string; answers: string }, db: Db): Promise<void> {
      await db('survey_responses').insert({ id: response.id, survey_id: response.surveyId, submitted_on: response.submittedOn, answers: response.answers });
    },

    async responseAnswers(surveyId: number, db: Db = knex): Promise<string[]> {
      return (await this.responseAnswersOf([surveyId], db)).get(surveyId) ?? [];
    },

    /** Each survey's answers (JSON text), in the same order as responseAnswers. */
    async responseAnswersOf(surveyIds: readonly number[], db: Db = knex): Promise<Map<number, string[]>> {
      const answers = new Map<number, string[]>();
      if (surveyIds.length === 0) return answers;
      for (const r of await db('survey_responses').select('survey_id', 'answers').whereIn('survey_id', surveyIds).orderBy('survey_id').orderBy('id')) {
        const of = answers.get(Number(r.survey_id)) ?? [];
        of.push(typeof r.answers === 'string' ? r.answers : JSON.stringify(r.answers));
        answers.set(Number(r.survey_id), of);
      }
      return answers;
    },

    async surveysByIds(ids: readonly number[], db: Db = knex): Promise<Map<number, Survey>> {
      const rows = ids.length === 0 ? [] : await db('surveys').select(SURVEY_COLUMNS).whereIn('id', ids);
      return new Map(rows.map((r) => [Number(r.id), toSurvey(r)]));
    },

    // Staff reports.
    async insertStaffReport(report: { surveyId: number; staffMemberId: number; recipientStaffMemberId: number | null }, db: Db): Promise<number> {
      const [id] = await db('survey_staff_reports').insert({ survey_id: report.surveyId, staff_member_id: report.staffMemberId, recipient_staff_member_id: report.recipientStaffMemberId, created_at: now() });
      return Number(id);
    },

    async staffReports(filter: StaffReportFilter, db: Db = knex): Promise<StaffReport[]> {
      return staffReportRows(filter, db);
    },

    /** Newest first, a page at a time. */
    async staffReportsPage(filter: StaffReportFilter, page: number, pageSize: number, db: Db = knex): Promise<Page<StaffReport>> {
      const total = Number((await staffReportsMatching(filter, db).count({ n: '*' }).first())?.n ?? 0);
      const pageCount = pageCountOf(total, pageSize);
      const shown = Math.min(page, pageCount);
      return { items: await staffReportRows(filter, db, { limit: pageSize, offset: (shown - 1) * pageSize }), page: shown, pageSize, total, pageCount };
    },
  };
}

export type SurveysRepository = ReturnType<typeof createSurveysRepository>;
