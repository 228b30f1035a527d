import { listComments, MINIMUM_GROUP_SIZE_FLOOR, suppressionReason, summariseChoices, summariseScale, type ChoiceFigures, type GroupRule, type Guarded, type ScaleFigures } from '../../platform/privacy/aggregates';
import { answerKeysOf, pagesOf, type Answer, type Answers } from './answers';
import { scalePoints, type Question, type TemplateDefinition } from './template.schema';

/** One row of results: a question (or one statement of a matrix), in one section or staff block. */
export interface QuestionResult {
  readonly answerKey: string;
  readonly sectionTitle: string;
  readonly staff: { readonly id: number; readonly name: string } | null;
  readonly question: string;
  /** The statement of a matrix row. */
  readonly statement: string | null;
  readonly type: Question['type'];
  /** Labels for the distribution's values, in order. */
  readonly labels: readonly string[];
  /** People who chose "not applicable" (shown only with the figures). */
  readonly skipped: number;
  readonly scale: Guarded<ScaleFigures> | null;
  readonly choices: Guarded<ChoiceFigures> | null;
  readonly comments: Guarded<{ readonly count: number; readonly comments: readonly string[] }> | null;
}

export interface SurveyResults {
  readonly responses: number;
  /** False when the whole survey has fewer responses than the minimum: no breakdown at all. */
  readonly shown: boolean;
  readonly minimumGroupSize: number;
  readonly questions: readonly QuestionResult[];
  /** The reader's own staff block was left out: they read about themselves only through their manager. */
  readonly ownBlockLeftOut: boolean;
}

/** Which part of the results a reader receives. */
export interface ResultsScope {
  readonly onlyStaff?: number;
  readonly exceptStaff?: number | null;
  readonly comments?: boolean;
}

function scaleLabels(question: Question): string[] {
  const points = scalePoints(question);
  if (question.type === 'likert' || question.type === 'matrix' || question.type === 'rating') {
    return points.map((p, i) => (i === 0 ? `${p} (${question.lowLabel})` : i === points.length - 1 ? `${p} (${question.highLabel})` : String(p)));
  }
  return [];
}

function resultFor(question: Question, answers: ReadonlyArray<Answer | undefined>, rule: GroupRule): Pick<QuestionResult, 'labels' | 'skipped' | 'scale' | 'choices' | 'comments'> {
  const given = answers.filter((a): a is Answer => a !== undefined);
  const skippedCount = given.filter((a) => a === null).length;
  const skipped = <T>(figure: Guarded<T>) => (figure.suppressed ? 0 : skippedCount);
  switch (question.type) {
    case 'likert':
    case 'rating':
    case 'matrix': {
      const scale = summariseScale(given.filter((a): a is number => typeof a === 'number'), scalePoints(question), rule);
      return { labels: scaleLabels(question), skipped: skipped(scale), scale, choices: null, comments: null };
    }
    case 'single':
    case 'multiple': {
      const chosen = given.filter((a): a is string | string[] => a !== null).map((a) => (Array.isArray(a) ? a : [a]));
      const choices = summariseChoices(chosen, question.options.map((o) => o.value), rule);
      return { labels: question.options.map((o) => o.label), skipped: skipped(choices), scale: null, choices, comments: null };
    }
    case 'text':
      return { labels: [], skipped: 0, scale: null, choices: null, comments: listComments(given.filter((a): a is string => typeof a === 'string'), rule) };
  }
}

/**
 * Results per question, each figure through the minimum-group-size guard. `onlyStaff` narrows to
 * one staff member's block (what their manager receives); `comments: false` leaves out free-text
 * answers altogether (a survey whose staff reports carry totals only).
 */
export function computeResults(
  definition: TemplateDefinition,
  staff: ReadonlyArray<{ id: number; name: string }>,
  responses: readonly Answers[],
  rule: GroupRule,
  options: ResultsScope = {},
): SurveyResults {
  const minimumGroupSize = Math.max(rule.minimumGroupSize, MINIMUM_GROUP_SIZE_FLOOR);
  // The whole survey is one group: below the minimum, not even per-question counts are shown.
  const shown = suppressionReason(responses.length, rule) === null;
  const questions: QuestionResult[] = [];
  if (shown) {
    for (const page of pagesOf(definition, staff)) {
      if (options.onlyStaff !== undefined && page.staff?.id !== options.onlyStaff) continue;
      if (page.staff && page.staff.id === options.exceptStaff) continue;
      for (const question of page.section.questions) {
        if (question.type === 'text' && options.comments === false) continue;
        const keys = answerKeysOf(page, question);
        keys.forEach((answerKey, i) => {
          const statement = question.type === 'matrix' ? question.statements[i]!.text : null;
          questions.push({
            answerKey,
            sectionTitle: page.section.title,
            staff: page.staff ?? null,
            question: question.text,
            statement,
            type: question.type,
            ...resultFor(question, responses.map((r) => r[answerKey]), rule),
          });
        });
      }
    }
  }
  const ownBlockLeftOut = options.exceptStaff != null && staff.some((s) => s.id === options.exceptStaff);
  return { responses: responses.length, shown, minimumGroupSize, questions, ownBlockLeftOut };
}
