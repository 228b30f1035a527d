import { readCsv, yieldToOthers } from '../../platform/csv-import';
import { isMessageKey } from '../../platform/http/forms';
import { StaffInputSchema, type StaffInput } from './directory.schema';
import { membersOfCycles, type ManagementLinks } from './management-chain';

/** A problem with one line of an imported file, named by line and column. */
export interface ImportProblem {
  readonly line: number;
  readonly field: string;
  readonly messageKey: string;
  readonly values?: Record<string, string | number>;
}

export interface ImportRow {
  readonly line: number;
  readonly input: StaffInput;
}

export const IMPORT_COLUMNS = ['email', 'name', 'title', 'department', 'manager_email', 'community_facing', 'executive'] as const;
const REQUIRED_COLUMNS = ['email', 'name'];
export const MAX_IMPORT_ROWS = 20_000;
/** Lines checked between two turns of the event loop. */
const LINES_PER_SLICE = 500;

const COLUMN_OF_FIELD: Record<string, string> = {
  email: 'email',
  name: 'name',
  title: 'title',
  department: 'department',
  managerEmail: 'manager_email',
  communityFacing: 'community_facing',
  isExecutive: 'executive',
};

/**
 * Parses and checks a directory CSV on its own and against the current management chain.
 * Returns the rows when every line is good, otherwise every problem found; it never writes. A large
 * file is read and checked a slice at a time, so other requests are served meanwhile.
 */
export async function checkStaffCsv(
  csv: string,
  existingLinks: ReadonlyArray<{ email: string; managerEmail: string | null }>,
): Promise<{ rows: ImportRow[]; problems: ImportProblem[] }> {
  const problems: ImportProblem[] = [];
  const read = await readCsv(csv);
  if ('unreadableAt' in read) return { rows: [], problems: [{ line: read.unreadableAt, field: '-', messageKey: 'directory.import.unreadable' }] };
  const { header, records } = read;
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  for (const column of missing) problems.push({ line: 1, field: column, messageKey: 'directory.import.missingColumn' });
  for (const column of unknown) problems.push({ line: 1, field: column, messageKey: 'directory.import.unknownColumn' });
  if (problems.length > 0) return { rows: [], problems };
  if (records.length === 0) return { rows: [], problems: [{ line: 1, field: '-', messageKey: 'directory.import.empty' }] };
  if (records.length > MAX_IMPORT_ROWS) {
    return { rows: [], problems: [{ line: 1, field: '-', messageKey: 'directory.import.tooManyRows', values: { max: MAX_IMPORT_ROWS } }] };
  }

  const rows: ImportRow[] = [];
  const lineOfEmail = new Map<string, number>();
  for (const [index, { record, line }] of records.entries()) {
    if (index % LINES_PER_SLICE === LINES_PER_SLICE - 1) await yieldToOthers();
    const parsed = StaffInputSchema.safeParse({
      email: record.email ?? '',
      name: record.name ?? '',
      title: record.title ?? '',
      department: record.department ?? '',
      managerEmail: record.manager_email ?? '',
      communityFacing: record.community_facing ?? '',
      isExecutive: record.executive ?? '',
    });
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = COLUMN_OF_FIELD[String(issue.path[0])] ?? String(issue.path[0]);
        if (seen.has(field)) continue;
        seen.add(field);
        problems.push({ line, field, messageKey: isMessageKey(issue.message) ? issue.message : 'validation.invalid' });
      }
      continue;
    }
    const input = parsed.data;
    const firstLine = lineOfEmail.get(input.email);
    if (firstLine !== undefined) {
      problems.push({ line, field: 'email', messageKey: 'directory.import.duplicateEmail', values: { line: firstLine } });
      continue;
    }
    lineOfEmail.set(input.email, line);
    if (input.managerEmail === input.email) {
      problems.push({ line, field: 'manager_email', messageKey: 'directory.import.selfManager' });
      continue;
    }
    rows.push({ line, input });
  }

  await yieldToOthers();
  // The chain as it would be after the import: existing people, with the file's rows laid over them.
  const planned: ManagementLinks<string> = new Map(existingLinks.map((l) => [l.email, l.managerEmail]));
  for (const { input } of rows) planned.set(input.email, input.managerEmail || null);
  for (const { line, input } of rows) {
    if (input.managerEmail && !planned.has(input.managerEmail)) {
      problems.push({ line, field: 'manager_email', messageKey: 'directory.import.unknownManager' });
    }
  }
  await yieldToOthers();
  const inCycle = membersOfCycles(planned);
  for (const { line, input } of rows) {
    if (inCycle.has(input.email)) problems.push({ line, field: 'manager_email', messageKey: 'directory.import.cycle' });
  }

  problems.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

