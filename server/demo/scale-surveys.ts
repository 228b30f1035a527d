import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { Answers } from '../features/surveys/answers';
import { pagesOf, answerKeysOf } from '../features/surveys/answers';
import { SELF_ASSESSMENT_CODE, SELF_ASSESSMENT_DEFINITION, SELF_ASSESSMENT_DESCRIPTION, SELF_ASSESSMENT_NAME } from '../features/surveys/default-template';
import { createSurveysRepository } from '../features/surveys/surveys.repository';
import { scalePoints, type TemplateDefinition } from '../features/surveys/template.schema';
import { insertInBatches, nextId, type SeededRandom } from './scale-batches';
import type { ScaleHistoryInput } from './scale-feedback';

const DAY_MS = 86_400_000;
const SUPPORT_STAFF_PER_GROUP = 2;
// Invited members per response: a fifth of those invited did not answer.
const INVITED_PER_RESPONSE = 1.25;
// A survey brings a few hundred rows (members, invitations, responses).
const SURVEYS_PER_TRANSACTION = 25;

/** One member's answers to every question of the template (per-staff sections for each support staff member). */
function answersFor(definition: TemplateDefinition, staff: ReadonlyArray<{ id: number; name: string }>, random: SeededRandom): Answers {
  const answers: Answers = {};
  for (const page of pagesOf(definition, staff)) {
    for (const question of page.section.questions) {
      for (const key of answerKeysOf(page, question)) {
        if (question.type === 'text') answers[key] = random.next() < 0.2 ? 'The co-chairs kept the calls focused.' : null;
        else if (question.type === 'single') answers[key] = random.pick(question.options).value;
        else if (question.type === 'multiple') answers[key] = [random.pick(question.options).value];
        else answers[key] = random.pick(scalePoints(question));
      }
    }
  }
  return answers;
}

/**
 * Working groups, each with its members and support staff and its closed self-assessment after the
 * Initial Report: invitations (links already erased, as after closing), and responses that carry no
 * invitation and only the day they were sent.
 */
export async function seedScaleSurveys(knex: Knex, input: ScaleHistoryInput): Promise<void> {
  const { counts, staff, members, now, random, progress } = input;
  // The app adds the shipped template when it starts; a database that never saw it gets it here, the same way.
  const repository = createSurveysRepository(knex, () => now);
  if (!(await repository.templateIdByCode(SELF_ASSESSMENT_CODE))) {
    await knex.transaction(async (trx) => repository.insertVersion(await repository.insertTemplate({ code: SELF_ASSESSMENT_CODE, name: SELF_ASSESSMENT_NAME, description: SELF_ASSESSMENT_DESCRIPTION }, trx), SELF_ASSESSMENT_DEFINITION, null, trx));
  }
  const template = await knex('survey_template_versions as v').join('survey_templates as t', 't.id', 'v.template_id').where('t.code', SELF_ASSESSMENT_CODE).orderBy('v.version', 'desc').first('v.id', 'v.template_id', 'v.definition');
  const definition = (typeof template.definition === 'string' ? JSON.parse(template.definition) : template.definition) as TemplateDefinition;
  const responsesPerSurvey = Math.max(1, Math.round(counts.surveyResponses / counts.surveys));
  const invitedPerSurvey = Math.ceil(responsesPerSurvey * INVITED_PER_RESPONSE);
  const firstGroup = await nextId(knex, 'working_groups');
  const firstSurvey = await nextId(knex, 'surveys');
  const names = new Map(await knex('staff_members').whereIn('id', staff.communityFacing.slice(0, 1000)).select('id', 'name').then((rows) => rows.map((r) => [Number(r.id), String(r.name)] as const)));
  const support = [...names.keys()];
  let responsesLeft = counts.surveyResponses;

  await insertInBatches(
    knex,
    'working-group surveys',
    counts.surveys,
    (from, to) => {
      const groups: object[] = [];
      const groupMembers: object[] = [];
      const groupStaff: object[] = [];
      const surveys: object[] = [];
      const surveyStaff: object[] = [];
      const invitations: object[] = [];
      const responses: object[] = [];
      for (let g = from; g < to; g++) {
        const groupId = firstGroup + g;
        const surveyId = firstSurvey + g;
        // Surveys closed over the past two years, three weeks after they opened.
        const closes = now - (1 + (g % 700)) * DAY_MS;
        const opens = closes - 21 * DAY_MS;
        const day = (at: number) => DateTime.fromMillis(at, { zone: 'utc' }).toISODate()!;
        groups.push({ id: groupId, name: `Working Group ${g + 1} (scale)`, type: 'pdp', chartering_organisation: 'GNSO', description: '', started_on: day(opens - 200 * DAY_MS), initial_report_on: day(opens), final_report_on: null, closed_on: null, assessment_template_id: Number(template.template_id), assessment_days: 21, created_at: opens - 200 * DAY_MS, updated_at: opens });
        const invited = Array.from({ length: invitedPerSurvey }, (_, k) => members[(g * invitedPerSurvey + k) % members.length]!);
        const unique = [...new Map(invited.map((m) => [m.email, m])).values()];
        unique.forEach((m, k) => groupMembers.push({ working_group_id: groupId, account_id: m.accountId, email: m.email, display_name: m.name, role: k === 0 ? 'chair' : 'member', created_at: opens - 200 * DAY_MS }));
        const supportStaff = Array.from({ length: Math.min(SUPPORT_STAFF_PER_GROUP, support.length) }, (_, k) => support[(g * SUPPORT_STAFF_PER_GROUP + k) % support.length]!);
        supportStaff.forEach((id, k) => {
          groupStaff.push({ working_group_id: groupId, staff_member_id: id, role: k === 0 ? 'Policy support lead' : 'Drafting support' });
          surveyStaff.push({ survey_id: surveyId, staff_member_id: id, position: k + 1 });
        });
        surveys.push({ id: surveyId, title: `Working Group ${g + 1}: assessment after the Initial Report`, template_version_id: Number(template.id), audience: 'working_group', working_group_id: groupId, milestone: 'initial_report', minimum_group_size: 5, status: 'closed', opens_at: opens, closes_at: closes, reminder_days: '7,2', repeat_months: null, created_by_account_id: staff.hrAccountId, created_at: opens, closed_at: closes, staff_report_content: 'totals' });
        const answering = Math.min(responsesLeft, g === counts.surveys - 1 ? unique.length : responsesPerSurvey, unique.length);
        responsesLeft -= answering;
        const staffNames = supportStaff.map((id) => ({ id, name: names.get(id)! }));
        unique.forEach((_, k) => {
          // Closed: the link's secret and the address are gone; "has responded" stays on the invitation only.
          invitations.push({ survey_id: surveyId, token_hash: randomBytes(32).toString('hex'), token_sealed: '', email: null, locale: 'en', has_responded: k < answering, reminders_sent: k < answering ? 0 : 2, draft: null });
        });
        for (let k = 0; k < answering; k++) {
          const sentAt = opens + Math.floor(random.next() * (closes - opens));
          responses.push({ id: randomBytes(16).toString('hex'), survey_id: surveyId, submitted_on: day(sentAt), answers: JSON.stringify(answersFor(definition, staffNames, random)) });
        }
      }
      return [
        ['working_groups', groups],
        ['working_group_members', groupMembers],
        ['working_group_staff', groupStaff],
        ['surveys', surveys],
        ['survey_staff', surveyStaff],
        ['survey_invitations', invitations],
        ['survey_responses', responses],
      ];
    },
    progress,
    SURVEYS_PER_TRANSACTION,
  );
}
