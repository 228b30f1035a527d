import { pagesOf, parseAll, parsePage, rawAnswersFromForm } from '../../../server/features/surveys/answers';
import { parseDefinition, type TemplateDefinition } from '../../../server/features/surveys/template.schema';
import { SELF_ASSESSMENT_DEFINITION } from '../../../server/features/surveys/default-template';
import { TEST_DEFINITION } from '../../helpers/surveys';

const STAFF = [
  { id: 7, name: 'Sam Support' },
  { id: 9, name: 'Pat Policy' },
];
const pages = pagesOf(TEST_DEFINITION, STAFF);
const first = pages[0]!;
const valid = { overall: '4', recommend: '8', attended: 'yes', channels: ['calls'], 'process.agenda': '5', 'process.minutes': '3', general_comments: 'Fine.' };

describe('answers: validation of each question type, decided on the server', () => {
  it('when a template has a per-staff section, then it becomes one page per support staff member, with keys of their own', () => {
    expect(pages.map((p) => [p.section.key, p.staff?.name ?? null])).toEqual([
      ['general', null],
      ['staff', 'Sam Support'],
      ['staff', 'Pat Policy'],
      ['meeting', null],
    ]);
    expect(parsePage(pages[1]!, { 'staff.7.support': '5' }).answers).toEqual({ 'staff.7.support': 5 });
    expect(parsePage(pages[2]!, { 'staff.7.support': '5' }).errors).toEqual({ 'staff.9.support': 'surveys.answer.required' });
  });

  it('when every answer is valid, then they come back typed: numbers for scales, values for choices, trimmed text', () => {
    expect(parsePage(first, { ...valid, general_comments: '  Fine.  ' })).toEqual({
      answers: { overall: 4, recommend: 8, attended: 'yes', channels: ['calls'], 'process.agenda': 5, 'process.minutes': 3, general_comments: 'Fine.' },
      errors: {},
    });
  });

  it.each([
    ['a Likert answer off the scale', { overall: '6' }, 'overall', 'surveys.answer.outOfRange'],
    ['a Likert answer that is not a number', { overall: 'five' }, 'overall', 'surveys.answer.outOfRange'],
    ['a missing required Likert answer', { overall: '' }, 'overall', 'surveys.answer.required'],
    ['a rating above 10', { recommend: '11' }, 'recommend', 'surveys.answer.outOfRange'],
    ['a rating with a decimal', { recommend: '7.5' }, 'recommend', 'surveys.answer.outOfRange'],
    ['a single choice not offered', { attended: 'maybe' }, 'attended', 'surveys.answer.invalid'],
    ['a skip where the question offers none', { attended: 'na' }, 'attended', 'surveys.answer.invalid'],
    ['a multiple choice with one value not offered', { channels: ['calls', 'fax'] }, 'channels', 'surveys.answer.invalid'],
    ['a matrix row left empty', { 'process.minutes': '' }, 'process.minutes', 'surveys.answer.required'],
    ['a matrix row off the scale', { 'process.agenda': '0' }, 'process.agenda', 'surveys.answer.outOfRange'],
    ['a text longer than its limit', { general_comments: 'x'.repeat(201) }, 'general_comments', 'surveys.answer.tooLong'],
  ])('when the page has %s, then that answer alone is refused, with its own message', (_case, change, field, message) => {
    const { answers, errors } = parsePage(first, { ...valid, ...change });
    expect(errors).toEqual({ [field]: message });
    // Every other answer still parses, so the form can keep it.
    expect(Object.keys(answers).sort()).toEqual(Object.keys(valid).filter((k) => k !== field).sort());
  });

  it('when a question allows skipping, then "not applicable" is an answer that counts as given and carries no number', () => {
    expect(parsePage(first, { ...valid, overall: 'na' }).answers.overall).toBeNull();
  });

  it('when optional questions are left empty, then they are simply absent', () => {
    const { answers, errors } = parsePage(first, { ...valid, recommend: '', channels: [], general_comments: '   ' });
    expect(errors).toEqual({});
    expect(answers).not.toHaveProperty('recommend');
    expect(answers).not.toHaveProperty('channels');
    expect(answers).not.toHaveProperty('general_comments');
  });

  it('when the condition of a later question is not met, then it is not required and a posted answer to it is dropped', () => {
    const staffAnswers = { 'staff.7.support': '4', 'staff.9.support': '2' };
    const no = parseAll(pages, { ...valid, ...staffAnswers, attended: 'no', meeting_value: '1' });
    expect(no.firstInvalidPage).toBeNull();
    expect(no.answers).not.toHaveProperty('meeting_value');
    const yes = parseAll(pages, { ...valid, ...staffAnswers, attended: 'yes' });
    expect(yes.errors).toEqual({ meeting_value: 'surveys.answer.required' });
    expect(yes.firstInvalidPage).toBe(3);
  });

  it('when a form posts fields that belong to no question, then they are ignored', () => {
    const raw = rawAnswersFromForm(pages, { 'a:overall': '3', 'a:unknown': '5', 'a:staff.8.support': '5', overall: '1', _csrf: 'x' });
    expect(raw).toEqual({ overall: '3' });
  });
});

describe('template definitions', () => {
  const withSections = (sections: unknown[]) => JSON.stringify({ sections });
  const likert = { type: 'likert', key: 'q1', text: 'Q', points: 7, lowLabel: 'Low', highLabel: 'High' };

  it('when the shipped Working Group Self-Assessment is checked, then it is valid, with six dimensions, optional demographics, 31 questions and a comment box per dimension', () => {
    const parsed = parseDefinition(JSON.stringify(SELF_ASSESSMENT_DEFINITION));
    expect('definition' in parsed).toBe(true);
    const definition = (parsed as { definition: TemplateDefinition }).definition;
    expect(definition.sections.map((s) => s.title)).toEqual(['Inputs', 'Processes', 'Outputs', 'Leadership', 'Staff support', 'Personal dimensions', 'About you (optional)']);
    expect(definition.sections.flatMap((s) => s.questions).filter((q) => q.type !== 'text')).toHaveLength(31);
    // A free-text box closes each of the six dimensions.
    expect(definition.sections.slice(0, 6).every((s) => s.questions.at(-1)!.type === 'text')).toBe(true);
    expect(definition.sections.find((s) => s.perStaff)?.key).toBe('staff_support');
  });

  it.each([
    ['not JSON', '{ sections: ', '', 'surveys.definition.notJson'],
    ['a Likert scale of 6 points', withSections([{ key: 's', title: 'S', questions: [{ ...likert, points: 6 }] }]), 'sections.0.questions.0.points', null],
    ['a key used twice', withSections([{ key: 's', title: 'S', questions: [likert, likert] }]), 'sections.0.questions.1.key', 'surveys.definition.keyTwice'],
    ['a condition on a later question', withSections([{ key: 's', title: 'S', questions: [{ ...likert, showIf: { question: 'q2', anyOf: ['1'] } }, { ...likert, key: 'q2' }] }]), 'sections.0.questions.0.showIf.question', 'surveys.definition.conditionEarlier'],
    ['a condition on a question of the same section', withSections([{ key: 's', title: 'S', questions: [likert, { ...likert, key: 'q2', showIf: { question: 'q1', anyOf: ['1'] } }] }]), 'sections.0.questions.1.showIf.question', 'surveys.definition.conditionEarlier'],
    ['a condition on a per-staff question', withSections([{ key: 's', title: 'S', perStaff: true, questions: [likert] }, { key: 't', title: 'T', questions: [{ ...likert, key: 'q2', showIf: { question: 'q1', anyOf: ['1'] } }] }]), 'sections.1.questions.0.showIf.question', 'surveys.definition.conditionPerStaff'],
    ['a key with capitals', withSections([{ key: 's', title: 'S', questions: [{ ...likert, key: 'Q1' }] }]), 'sections.0.questions.0.key', 'surveys.definition.keyInvalid'],
  ])('when a definition has %s, then it is refused with the place named', (_case, json, path, message) => {
    const parsed = parseDefinition(json);
    expect('problems' in parsed).toBe(true);
    const problems = (parsed as { problems: Array<{ path: string; message: string }> }).problems;
    expect(problems[0]!.path).toBe(path);
    if (message) expect(problems[0]!.message).toBe(message);
  });
});
