import { z } from 'zod';

/**
 * A survey template's definition: sections of questions, stored as JSON in an immutable template
 * version. Question text belongs to the template's author (one language per template); the
 * interface around it is translated.
 */
export const QUESTION_TYPES = ['likert', 'rating', 'single', 'multiple', 'matrix', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const key = z.string().regex(KEY, 'surveys.definition.keyInvalid');
const label = z.string().trim().min(1).max(300);

const option = z.object({ value: key, label });
const condition = z.object({
  /** The key of a question in an earlier section (not a per-staff one). */
  question: key,
  /** Answer values that show the question: option values, scale points as strings, or "na". */
  anyOf: z.array(z.string().min(1).max(40)).min(1),
});

const common = {
  key,
  text: z.string().trim().min(1).max(1000),
  help: z.string().trim().max(1000).optional(),
  required: z.boolean().default(false),
  /** Offers "not applicable / skip": an answer that counts as given but not in any figure. */
  allowSkip: z.boolean().default(false),
  showIf: condition.optional(),
};
const scale = { points: z.union([z.literal(5), z.literal(7)]), lowLabel: label, highLabel: label };

export const QuestionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('likert'), ...common, ...scale }),
  z.object({ type: z.literal('rating'), ...common, lowLabel: label, highLabel: label }),
  z.object({ type: z.literal('single'), ...common, options: z.array(option).min(2).max(30) }),
  z.object({ type: z.literal('multiple'), ...common, options: z.array(option).min(2).max(30) }),
  z.object({ type: z.literal('matrix'), ...common, ...scale, statements: z.array(z.object({ key, text: label })).min(1).max(30) }),
  z.object({ type: z.literal('text'), ...common, maxLength: z.number().int().min(10).max(10000).default(2000) }),
]);
export type Question = z.infer<typeof QuestionSchema>;

export const SectionSchema = z.object({
  key,
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  /** Repeated once for each support staff member of the survey. */
  perStaff: z.boolean().default(false),
  questions: z.array(QuestionSchema).min(1).max(100),
});
export type Section = z.infer<typeof SectionSchema>;

export const TemplateDefinitionSchema = z
  .object({ sections: z.array(SectionSchema).min(1).max(30) })
  .superRefine((definition, ctx) => {
    const seen = new Map<string, { section: number; perStaff: boolean; question: Question }>();
    definition.sections.forEach((section, s) => {
      section.questions.forEach((question, q) => {
        const path = ['sections', s, 'questions', q];
        if (seen.has(question.key)) ctx.addIssue({ code: 'custom', path: [...path, 'key'], message: 'surveys.definition.keyTwice' });
        if (question.type === 'matrix' && new Set(question.statements.map((st) => st.key)).size !== question.statements.length) {
          ctx.addIssue({ code: 'custom', path: [...path, 'statements'], message: 'surveys.definition.statementKeysTwice' });
        }
        if ((question.type === 'single' || question.type === 'multiple') && new Set(question.options.map((o) => o.value)).size !== question.options.length) {
          ctx.addIssue({ code: 'custom', path: [...path, 'options'], message: 'surveys.definition.optionValuesTwice' });
        }
        if (question.showIf) {
          // Conditions look back to an earlier page, so the server decides what to show without scripts.
          const target = seen.get(question.showIf.question);
          if (!target || target.section === s) {
            ctx.addIssue({ code: 'custom', path: [...path, 'showIf', 'question'], message: 'surveys.definition.conditionEarlier' });
          } else if (target.perStaff) {
            ctx.addIssue({ code: 'custom', path: [...path, 'showIf', 'question'], message: 'surveys.definition.conditionPerStaff' });
          } else if (target.question.type === 'text' || target.question.type === 'matrix') {
            ctx.addIssue({ code: 'custom', path: [...path, 'showIf', 'question'], message: 'surveys.definition.conditionType' });
          }
        }
        seen.set(question.key, { section: s, perStaff: section.perStaff, question });
      });
    });
  });
export type TemplateDefinition = z.infer<typeof TemplateDefinitionSchema>;

export interface DefinitionProblem {
  /** Where, as a dotted path (sections.2.questions.0.points). */
  readonly path: string;
  /** A catalogue key. */
  readonly message: string;
  readonly values?: Readonly<Record<string, string | number>>;
}

const JSON_TYPES = new Set(['string', 'number', 'boolean', 'array', 'object']);
const listed = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** The parser's issue in the catalogue's words: the author of a template may read any language. */
function problemOf(issue: z.core.$ZodIssue): DefinitionProblem {
  const path = issue.path.join('.');
  if (issue.message.startsWith('surveys.')) return { path, message: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return { path, message: 'surveys.definition.missing' };
      return { path, message: JSON_TYPES.has(issue.expected) ? `surveys.definition.expected.${issue.expected}` : 'surveys.definition.invalid' };
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? 'min' : 'max';
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (issue.origin === 'string' && bound === 'min' && limit === 1) return { path, message: 'surveys.definition.empty' };
      const origin = issue.origin === 'string' || issue.origin === 'array' ? issue.origin : 'number';
      return { path, message: `surveys.definition.${bound}.${origin}`, values: { limit } };
    }
    case 'invalid_value':
      return { path, message: 'surveys.definition.oneOf', values: { values: listed(issue.values) } };
    case 'invalid_union': {
      // A question's "type", or a value that may be one of several literals (the points of a scale).
      if ('options' in issue && Array.isArray(issue.options)) return { path, message: 'surveys.definition.oneOf', values: { values: listed(issue.options) } };
      const values = issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_value' ? inner.values : []));
      return values.length > 0 ? { path, message: 'surveys.definition.oneOf', values: { values: listed(values) } } : { path, message: 'surveys.definition.invalid' };
    }
    default:
      return { path, message: 'surveys.definition.invalid' };
  }
}

/** Parses a definition written as JSON; problems come back with their paths for the editor. */
export function parseDefinition(json: string): { definition: TemplateDefinition } | { problems: DefinitionProblem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { problems: [{ path: '', message: 'surveys.definition.notJson' }] };
  }
  // reportInput: a missing field and a field of the wrong type are told apart.
  const parsed = TemplateDefinitionSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return { definition: parsed.data };
  return { problems: parsed.error.issues.slice(0, 20).map(problemOf) };
}

/** The values a scale question accepts. */
export function scalePoints(question: Question): number[] {
  if (question.type === 'rating') return Array.from({ length: 11 }, (_, i) => i);
  if (question.type === 'likert' || question.type === 'matrix') return Array.from({ length: question.points }, (_, i) => i + 1);
  return [];
}
