import type { Question, TemplateDefinition } from './template.schema';

export const SELF_ASSESSMENT_CODE = 'wg-self-assessment';
export const SELF_ASSESSMENT_NAME = 'Working Group Self-Assessment';
export const SELF_ASSESSMENT_DESCRIPTION = 'GNSO Operating Procedures, section 7: six dimensions on a 1–7 scale, run after the Initial Report and at closure.';

// Modelled on the GNSO Working Group Self-Assessment (Operating Procedures, section 7): six
// dimensions rated 1–7 with a skip, a comment box each, and optional demographics. Run once after
// the Initial Report and once at closure.
const effectiveness = (key: string, text: string): Question => ({
  type: 'likert',
  key,
  text,
  points: 7,
  lowLabel: 'Highly ineffective',
  highLabel: 'Highly effective',
  required: true,
  allowSkip: true,
});
const comments = (key: string): Question => ({ type: 'text', key, text: 'Comments on this section (optional)', required: false, allowSkip: false, maxLength: 2000 });

export const SELF_ASSESSMENT_DEFINITION: TemplateDefinition = {
  sections: [
    {
      key: 'inputs',
      title: 'Inputs',
      description: 'What the group started with: its charter, mission and the resources given to it.',
      perStaff: false,
      questions: [
        effectiveness('charter_clarity', 'The clarity of the charter, mission and scope'),
        effectiveness('deliverables', 'The clarity of the deliverables and timeline'),
        effectiveness('resources', 'The resources available to the group (tools, meetings, budget)'),
        effectiveness('expertise', 'The range of expertise and perspectives among the members'),
        effectiveness('briefing', 'Background material and briefings at the start'),
        comments('inputs_comments'),
      ],
    },
    {
      key: 'processes',
      title: 'Processes',
      description: 'How the group worked: its norms, decisions and communication.',
      perStaff: false,
      questions: [
        effectiveness('norms', 'Group norms and working methods'),
        effectiveness('decision_making', 'Decision-making and consensus building'),
        effectiveness('participation', 'Opportunities for all members to take part'),
        effectiveness('communication', 'Communication within the group (lists, calls, documents)'),
        effectiveness('meetings', 'Meeting logistics, scheduling across time zones and agendas'),
        effectiveness('public_comment', 'Handling of public comments'),
        comments('processes_comments'),
      ],
    },
    {
      key: 'outputs',
      title: 'Outputs',
      description: "The group's reports and recommendations.",
      perStaff: false,
      questions: [
        effectiveness('mission_met', 'How well the outputs fulfil the charter'),
        effectiveness('quality', 'The quality of the reports and recommendations'),
        effectiveness('timeliness', 'The timeliness of the outputs'),
        effectiveness('implementability', 'How implementable the recommendations are'),
        comments('outputs_comments'),
      ],
    },
    {
      key: 'leadership',
      title: 'Leadership',
      description: 'The chair, the vice-chairs and the GNSO Council liaison.',
      perStaff: false,
      questions: [
        effectiveness('chair', 'The chair’s leadership of the group'),
        effectiveness('vice_chairs', 'The support given by the vice-chairs'),
        effectiveness('liaison', 'The Council liaison’s link between the group and the Council'),
        effectiveness('neutrality', 'The neutrality and fairness of the leadership'),
        comments('leadership_comments'),
      ],
    },
    {
      key: 'staff_support',
      title: 'Staff support',
      // Who reads these answers is stated by the survey, from its settings (promises.ts), never typed here.
      description: 'The support given by this staff member.',
      perStaff: true,
      questions: [
        effectiveness('staff_expertise', 'Subject-matter expertise'),
        effectiveness('staff_responsiveness', 'Responsiveness to the group’s requests'),
        effectiveness('staff_drafting', 'Drafting and document management'),
        effectiveness('staff_neutrality', 'Neutrality and even-handedness'),
        effectiveness('staff_logistics', 'Meeting support and logistics'),
        comments('staff_comments'),
      ],
    },
    {
      key: 'personal',
      title: 'Personal dimensions',
      description: 'Your own experience of the group.',
      perStaff: false,
      questions: [
        effectiveness('engagement', 'Your own engagement and contribution'),
        effectiveness('fulfilment', 'How worthwhile the experience was for you'),
        effectiveness('recommend', 'How likely you are to join another working group'),
        { type: 'single', key: 'first_group', text: 'Is this the first working group you have taken part in?', required: false, allowSkip: false, options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
        comments('personal_comments'),
      ],
    },
    {
      key: 'demographics',
      title: 'About you (optional)',
      description: 'These answers are never shown for fewer respondents than the minimum group size.',
      perStaff: false,
      questions: [
        {
          type: 'single',
          key: 'earlier_groups',
          text: 'How many working groups had you taken part in before this one?',
          required: false,
          allowSkip: true,
          options: [{ value: 'one_two', label: '1–2' }, { value: 'three_five', label: '3–5' }, { value: 'more', label: 'More than 5' }],
          showIf: { question: 'first_group', anyOf: ['no'] },
        },
        {
          type: 'single',
          key: 'region',
          text: 'Your region',
          required: false,
          allowSkip: true,
          options: [
            { value: 'africa', label: 'Africa' },
            { value: 'asia_pacific', label: 'Asia / Australia / Pacific' },
            { value: 'europe', label: 'Europe' },
            { value: 'latin_america', label: 'Latin America / Caribbean' },
            { value: 'north_america', label: 'North America' },
          ],
        },
        {
          type: 'multiple',
          key: 'stakeholder_group',
          text: 'The groups you belong to',
          required: false,
          allowSkip: false,
          options: [
            { value: 'registries', label: 'Registries' },
            { value: 'registrars', label: 'Registrars' },
            { value: 'commercial', label: 'Commercial stakeholders' },
            { value: 'non_commercial', label: 'Non-commercial stakeholders' },
            { value: 'nominating_committee', label: 'Nominating Committee appointee' },
            { value: 'other', label: 'Other' },
          ],
        },
      ],
    },
  ],
};
