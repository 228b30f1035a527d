import { scalePoints, type Question, type Section, type TemplateDefinition } from './template.schema';

/** The "not applicable / skip" value of a form field. */
export const SKIP = 'na';

/**
 * One page of the answering form: a section, or one staff member's copy of a per-staff section.
 * Answer keys are the question key, `<question>.<statement>` for matrix rows, and
 * `staff.<staffMemberId>.<…>` inside a per-staff copy.
 */
export interface SurveyPage {
  readonly index: number;
  readonly section: Section;
  readonly staff?: { readonly id: number; readonly name: string };
  readonly prefix: string;
}

/** What the member typed, by answer key, kept as text until it is validated (so nothing is lost). */
export type RawAnswers = Record<string, string | string[]>;
/** A validated answer; null is "skipped / not applicable". */
export type Answer = number | string | string[] | null;
export type Answers = Record<string, Answer>;

export function pagesOf(definition: TemplateDefinition, staff: ReadonlyArray<{ id: number; name: string }>): SurveyPage[] {
  const pages: SurveyPage[] = [];
  for (const section of definition.sections) {
    if (!section.perStaff) pages.push({ index: pages.length, section, prefix: '' });
    else for (const member of staff) pages.push({ index: pages.length, section, staff: member, prefix: `staff.${member.id}.` });
  }
  return pages;
}

export function answerKeysOf(page: SurveyPage, question: Question): string[] {
  const base = page.prefix + question.key;
  return question.type === 'matrix' ? question.statements.map((s) => `${base}.${s.key}`) : [base];
}

/** Conditions refer to questions outside per-staff sections, so their raw value sits under the bare key. */
export function isVisible(question: Question, raw: RawAnswers): boolean {
  if (!question.showIf) return true;
  const given = raw[question.showIf.question];
  const values = Array.isArray(given) ? given : given === undefined ? [] : [given];
  return values.some((v) => question.showIf!.anyOf.includes(v));
}

export function visibleQuestions(page: SurveyPage, raw: RawAnswers): Question[] {
  return page.section.questions.filter((q) => isVisible(q, raw));
}

type Parsed = { answer?: Answer; error?: string };
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() ?? '';

function parseScale(question: Question, value: string | string[] | undefined): Parsed {
  const text = first(value);
  if (text === '') return question.required ? { error: 'surveys.answer.required' } : {};
  if (text === SKIP) return question.allowSkip ? { answer: null } : { error: 'surveys.answer.invalid' };
  const points = scalePoints(question);
  const score = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  return points.includes(score) ? { answer: score } : { error: 'surveys.answer.outOfRange' };
}

function parseAnswer(question: Question, value: string | string[] | undefined): Parsed {
  switch (question.type) {
    case 'likert':
    case 'rating':
    case 'matrix':
      return parseScale(question, value);
    case 'single': {
      const text = first(value);
      if (text === '') return question.required ? { error: 'surveys.answer.required' } : {};
      if (text === SKIP) return question.allowSkip ? { answer: null } : { error: 'surveys.answer.invalid' };
      return question.options.some((o) => o.value === text) ? { answer: text } : { error: 'surveys.answer.invalid' };
    }
    case 'multiple': {
      const chosen = [...new Set((Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map((v) => v.trim()))];
      if (chosen.length === 0) return question.required ? { error: 'surveys.answer.required' } : {};
      if (chosen.includes(SKIP)) return question.allowSkip && chosen.length === 1 ? { answer: null } : { error: 'surveys.answer.invalid' };
      return chosen.every((v) => question.options.some((o) => o.value === v)) ? { answer: chosen } : { error: 'surveys.answer.invalid' };
    }
    case 'text': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return question.required ? { error: 'surveys.answer.required' } : {};
      return text.length > question.maxLength ? { error: 'surveys.answer.tooLong' } : { answer: text };
    }
  }
}

/**
 * Validates one page against what the member typed. Hidden questions (their condition is not met)
 * are neither required nor kept: the server, not the browser, decides what was asked.
 */
export function parsePage(page: SurveyPage, raw: RawAnswers): { answers: Answers; errors: Record<string, string> } {
  const answers: Answers = {};
  const errors: Record<string, string> = {};
  for (const question of visibleQuestions(page, raw)) {
    for (const key of answerKeysOf(page, question)) {
      const parsed = parseAnswer(question, raw[key]);
      if (parsed.error) errors[key] = parsed.error;
      else if ('answer' in parsed) answers[key] = parsed.answer!;
    }
  }
  return { answers, errors };
}

/** Validates every page; `firstInvalidPage` is where to send the member back to. */
export function parseAll(pages: readonly SurveyPage[], raw: RawAnswers): { answers: Answers; errors: Record<string, string>; firstInvalidPage: number | null } {
  const answers: Answers = {};
  const errors: Record<string, string> = {};
  let firstInvalidPage: number | null = null;
  for (const page of pages) {
    const result = parsePage(page, raw);
    Object.assign(answers, result.answers);
    Object.assign(errors, result.errors);
    if (firstInvalidPage === null && Object.keys(result.errors).length > 0) firstInvalidPage = page.index;
  }
  return { answers, errors, firstInvalidPage };
}

/**
 * Field names in the form: `a:<answer key>`. Each page posts the answers of every page (the others
 * as hidden fields), so nothing is stored until the member saves or submits. Unknown fields are ignored.
 */
export function rawAnswersFromForm(pages: readonly SurveyPage[], body: Record<string, unknown>): RawAnswers {
  const raw: RawAnswers = {};
  for (const page of pages) {
    for (const question of page.section.questions) {
      for (const key of answerKeysOf(page, question)) {
        const value = body[`a:${key}`];
        if (typeof value === 'string') raw[key] = value.slice(0, 20_000);
        else if (Array.isArray(value)) raw[key] = value.filter((v): v is string => typeof v === 'string').slice(0, 50).map((v) => v.slice(0, 100));
      }
    }
  }
  return raw;
}
