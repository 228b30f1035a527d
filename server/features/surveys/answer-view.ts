import type { Translate } from '../../platform/i18n';
import { answerKeysOf, SKIP, visibleQuestions, type RawAnswers, type SurveyPage } from './answers';
import { scalePoints, type Question } from './template.schema';

interface ChoiceView {
  readonly value: string;
  readonly label: string;
  readonly checked: boolean;
}

interface FieldView {
  readonly name: string;
  readonly id: string;
  readonly text: string;
  readonly choices: readonly ChoiceView[];
  readonly error: string | null;
}

/** One question as the answering page draws it. */
export interface QuestionView extends FieldView {
  readonly type: Question['type'];
  readonly help: string;
  readonly required: boolean;
  readonly lowLabel: string;
  readonly highLabel: string;
  readonly value: string;
  readonly maxLength: number;
  readonly rows: readonly FieldView[];
}

const asList = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function choicesFor(question: Question, raw: string | string[] | undefined, t: Translate): ChoiceView[] {
  const given = asList(raw);
  const options: Array<{ value: string; label: string }> =
    question.type === 'single' || question.type === 'multiple' ? question.options : scalePoints(question).map((p) => ({ value: String(p), label: String(p) }));
  if (question.allowSkip) options.push({ value: SKIP, label: t('surveys.answer.skip') });
  return options.map((o) => ({ ...o, checked: given.includes(o.value) }));
}

const fieldId = (key: string) => `q-${key.replace(/[^a-z0-9_-]/gi, '-')}`;

/**
 * The questions of one page with what was typed and the messages for it, and the answers of every
 * other page as hidden fields (so a page posts everything, and nothing is stored until save or submit).
 */
export function answerPageView(pages: readonly SurveyPage[], page: SurveyPage, raw: RawAnswers, errors: Record<string, string>, t: Translate) {
  const questions: QuestionView[] = visibleQuestions(page, raw).map((question) => {
    const keys = answerKeysOf(page, question);
    const field = (key: string, text: string): FieldView => ({ name: `a:${key}`, id: fieldId(key), text, choices: choicesFor(question, raw[key], t), error: errors[key] ? t(errors[key]) : null });
    const scale = question.type === 'likert' || question.type === 'rating' || question.type === 'matrix';
    return {
      ...field(keys[0]!, question.text),
      type: question.type,
      help: question.help ?? '',
      required: question.required,
      lowLabel: scale ? question.lowLabel : '',
      highLabel: scale ? question.highLabel : '',
      value: typeof raw[keys[0]!] === 'string' ? (raw[keys[0]!] as string) : '',
      maxLength: question.type === 'text' ? question.maxLength : 0,
      rows: question.type === 'matrix' ? question.statements.map((s, i) => field(keys[i]!, s.text)) : [],
      // A matrix reports its first invalid row on the question too, for the summary at the top.
      error: keys.map((k) => errors[k]).find(Boolean) ? t(keys.map((k) => errors[k]).find(Boolean)!) : null,
    };
  });
  const onThisPage = new Set(page.section.questions.flatMap((q) => answerKeysOf(page, q)));
  const hidden = Object.entries(raw)
    .filter(([key]) => !onThisPage.has(key))
    .flatMap(([key, value]) => asList(value).map((v) => ({ name: `a:${key}`, value: v })));
  return {
    section: page.section.title,
    description: page.section.description,
    staffName: page.staff?.name ?? null,
    questions,
    hidden,
    pageNumber: page.index + 1,
    pageCount: pages.length,
    isFirst: page.index === 0,
    isLast: page.index === pages.length - 1,
  };
}
