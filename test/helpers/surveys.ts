import type { Knex } from 'knex';
import { factories } from '../factories';
import { csrfToken, postForm, signedIn, type Agent, type TestApp } from './app';
import type { TestSmtpServer } from './mail';
import type { TemplateDefinition } from '../../server/features/surveys/template.schema';

/**
 * A small template with every question type: a 5-point Likert, a 0–10 rating, single and multiple
 * choice, a matrix, free text, a per-staff block, and a question shown only to those who answered
 * "yes" to an earlier one.
 */
export const TEST_DEFINITION: TemplateDefinition = {
  sections: [
    {
      key: 'general',
      title: 'The group',
      description: '',
      perStaff: false,
      questions: [
        { type: 'likert', key: 'overall', text: 'How effective was the group overall?', points: 5, lowLabel: 'Poor', highLabel: 'Excellent', required: true, allowSkip: true },
        { type: 'rating', key: 'recommend', text: 'How likely are you to join another group?', lowLabel: 'Not at all', highLabel: 'Certainly', required: false, allowSkip: false },
        { type: 'single', key: 'attended', text: 'Did you attend the face-to-face meeting?', required: true, allowSkip: false, options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
        { type: 'multiple', key: 'channels', text: 'Which channels did you use?', required: false, allowSkip: false, options: [{ value: 'calls', label: 'Calls' }, { value: 'list', label: 'Mailing list' }, { value: 'docs', label: 'Shared documents' }] },
        { type: 'matrix', key: 'process', text: 'The process', points: 5, lowLabel: 'Poor', highLabel: 'Excellent', required: true, allowSkip: false, statements: [{ key: 'agenda', text: 'Agendas' }, { key: 'minutes', text: 'Minutes' }] },
        { type: 'text', key: 'general_comments', text: 'Comments', required: false, allowSkip: false, maxLength: 200 },
      ],
    },
    {
      key: 'staff',
      title: 'Staff support',
      description: '',
      perStaff: true,
      questions: [
        { type: 'likert', key: 'support', text: 'How helpful was this staff member?', points: 5, lowLabel: 'Poor', highLabel: 'Excellent', required: true, allowSkip: true },
        { type: 'text', key: 'staff_comments', text: 'Comments on this staff member', required: false, allowSkip: false, maxLength: 500 },
      ],
    },
    {
      key: 'meeting',
      title: 'The meeting',
      description: '',
      perStaff: false,
      questions: [{ type: 'likert', key: 'meeting_value', text: 'How useful was the face-to-face meeting?', points: 5, lowLabel: 'Poor', highLabel: 'Excellent', required: true, allowSkip: false, showIf: { question: 'attended', anyOf: ['yes'] } }],
    },
  ],
};

/** Submits every page of TEST_DEFINITION at once, with the required general answers (add the per-staff ones). */
export const SUBMIT_GENERAL_ANSWERS = { page: '0', action: 'submit', 'a:overall': '4', 'a:attended': 'no', 'a:process.agenda': '4', 'a:process.minutes': '4' } as const;

/** A form body with repeated keys for multiple values (as browsers send checkboxes). */
export function formBody(fields: Record<string, string | string[]>): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  return body.toString();
}

/** Posts the answering form at `path` (a link's path). The CSRF token comes from a page that always has a form, since a used link's page has none. */
export async function postAnswers(agent: Agent, path: string, fields: Record<string, string | string[]>) {
  const token = await csrfToken(agent, '/sign-in');
  return agent.post(path).type('form').send(formBody({ ...fields, _csrf: token }));
}

export async function surveyAdmin(app: TestApp, knex: Knex): Promise<Agent> {
  return signedIn(app, await factories(knex).account({ roles: ['hr'] }));
}

/** Saves a template through the editor; returns its id. */
export async function saveTemplate(admin: Agent, definition: TemplateDefinition, name = 'Test assessment', templateId?: number): Promise<number> {
  const action = templateId === undefined ? '/surveys/templates' : `/surveys/templates/${templateId}`;
  const res = await postForm(admin, templateId === undefined ? '/surveys/templates/new' : action, action, { name, description: '', definition: JSON.stringify(definition) });
  if (res.status !== 303) throw new Error(`saving the template failed with ${res.status}`);
  return Number(res.headers.location!.split('/').pop());
}

/** Opens a survey through the form; returns its id. */
export async function openSurvey(admin: Agent, fields: Record<string, string>): Promise<number> {
  const res = await postForm(admin, '/surveys/new', '/surveys', { reminderDays: '', minimumGroupSize: '5', repeatMonths: '', addresses: '', workingGroupId: '', opensOn: '2026-11-22', closesOn: '2026-12-13', ...fields });
  if (res.status !== 303) throw new Error(`opening the survey failed with ${res.status}: ${res.text.match(/class="error"[^>]*>([^<]+)/g)?.join(' ')}`);
  return Number(res.headers.location!.split('/').pop());
}

/** Closes an open survey through its page, as HR would. */
export async function closeSurvey(admin: Agent, surveyId: number): Promise<void> {
  const res = await postForm(admin, `/surveys/${surveyId}`, `/surveys/${surveyId}/close`, {});
  if (res.status !== 303) throw new Error(`closing the survey failed with ${res.status}`);
}

/** The path of the survey link each address received, by address. */
export function surveyLinks(smtp: TestSmtpServer, subject: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const mail of smtp.received.filter((m) => m.subject === subject)) {
    const match = mail.text.match(/https?:\/\/[^\s/]+(\/s\/[A-Za-z0-9_-]+)/);
    if (match) links.set(mail.to[0]!, match[1]!);
  }
  return links;
}
