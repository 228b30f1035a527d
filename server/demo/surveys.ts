import type { Knex } from 'knex';
import type { AppInstance } from '../app';
import { SELF_ASSESSMENT_CODE } from '../features/surveys/default-template';
import { DEMO_COMMUNITY_MEMBERS } from './organisation';

/**
 * A working group with the demo community members, two support staff, and its Working Group
 * Self-Assessment open, so the demo member's invitation (in the mail folder) leads to a real survey.
 */
export async function seedDemoSurveys(knex: Knex, services: AppInstance['services'], today: string): Promise<'created' | 'already-present'> {
  if (await knex('working_groups').first()) return 'already-present';
  const hrAccount = await knex('accounts').select('id').where({ email: 'hr@demo.example' }).first();
  const hr = hrAccount && (await services.accounts.findActor(Number(hrAccount.id)));
  if (!hr) return 'already-present';
  const staffId = async (email: string) => Number((await knex('staff_members').select('id').where({ email }).first()).id);
  const templateId = Number((await knex('survey_templates').select('id').where({ code: SELF_ASSESSMENT_CODE }).first()).id);

  const groupId = await services.workingGroups.createGroup(hr, {
    name: 'Transfer Policy Review PDP',
    type: 'pdp',
    charteringOrganisation: 'GNSO',
    description: 'Reviews the Inter-Registrar Transfer Policy and recommends changes to it.',
    startedOn: '2025-02-10',
    initialReportOn: null,
    finalReportOn: null,
    closedOn: null,
    assessmentTemplateId: templateId,
    assessmentDays: 21,
  });
  for (const [i, member] of DEMO_COMMUNITY_MEMBERS.entries()) {
    await services.workingGroups.addMember(hr, groupId, { email: member.email, displayName: member.name, role: i === 1 ? 'chair' : i === 2 ? 'council_liaison' : 'member' });
  }
  await services.workingGroups.assignStaff(hr, groupId, { staffMemberId: await staffId('staff@demo.example'), staffRole: 'Policy support lead' });
  await services.workingGroups.assignStaff(hr, groupId, { staffMemberId: await staffId('policy.analyst1@demo.example'), staffRole: 'Drafting support' });

  const closes = new Date(Date.parse(`${today}T00:00:00Z`) + 21 * 86_400_000).toISOString().slice(0, 10);
  await services.surveys.createSurvey(hr, {
    title: 'Transfer Policy Review PDP: assessment after the Initial Report',
    templateId,
    audience: 'working_group',
    workingGroupId: groupId,
    addresses: [],
    opensOn: today,
    closesOn: closes,
    reminderDays: [7, 2],
    staffReportContent: 'totals',
    minimumGroupSize: 5,
    repeatMonths: null,
  });
  return 'created';
}
