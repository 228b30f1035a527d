import { readCsv } from '../../platform/csv-import';
import { isMessageKey } from '../../platform/http/forms';
import { MemberRowSchema, type MemberRow } from './working-groups.schema';

export const MEMBER_IMPORT_COLUMNS = ['email', 'name', 'role'] as const;
export const MAX_MEMBER_IMPORT_ROWS = 5_000;

/** A problem with the file as a whole (unreadable, wrong header, empty): nothing is imported. */
export interface FileProblem {
  readonly line: number;
  readonly field: string;
  readonly messageKey: string;
  readonly values?: Record<string, string | number>;
}

/** One line of the file: a member to add or update, or the reason it cannot be used. */
export type MemberLine =
  | { readonly line: number; readonly email: string; readonly ok: true; readonly input: MemberRow }
  | { readonly line: number; readonly email: string; readonly ok: false; readonly field: string; readonly messageKey: string; readonly values?: Record<string, string | number> };

const COLUMN_OF_FIELD: Record<string, string> = { email: 'email', name: 'name', role: 'role' };

/**
 * Parses and checks a members CSV (`email,name,role`). It never writes: each line comes back as a
 * usable row or with its problem, so the service can apply the good lines and report the bad ones.
 */
export async function checkMemberCsv(csv: string): Promise<{ ok: false; problems: FileProblem[] } | { ok: true; lines: MemberLine[] }> {
  const read = await readCsv(csv);
  if ('unreadableAt' in read) return { ok: false, problems: [{ line: read.unreadableAt, field: '-', messageKey: 'workingGroups.import.unreadable' }] };
  const { header, records } = read;
  const problems: FileProblem[] = [];
  if (!header.includes('email')) problems.push({ line: 1, field: 'email', messageKey: 'workingGroups.import.missingColumn' });
  for (const column of header.filter((c) => !(MEMBER_IMPORT_COLUMNS as readonly string[]).includes(c))) {
    problems.push({ line: 1, field: column, messageKey: 'workingGroups.import.unknownColumn' });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (records.length === 0) return { ok: false, problems: [{ line: 1, field: '-', messageKey: 'workingGroups.import.empty' }] };
  if (records.length > MAX_MEMBER_IMPORT_ROWS) {
    return { ok: false, problems: [{ line: 1, field: '-', messageKey: 'workingGroups.import.tooManyRows', values: { max: MAX_MEMBER_IMPORT_ROWS } }] };
  }

  const lines: MemberLine[] = [];
  const lineOfEmail = new Map<string, number>();
  for (const { record, line } of records) {
    const typedEmail = (record.email ?? '').trim();
    const parsed = MemberRowSchema.safeParse({ email: record.email ?? '', name: record.name ?? '', role: record.role ?? '' });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      lines.push({
        line,
        email: typedEmail,
        ok: false,
        field: COLUMN_OF_FIELD[String(issue.path[0])] ?? String(issue.path[0]),
        messageKey: isMessageKey(issue.message) ? issue.message : 'validation.invalid',
      });
      continue;
    }
    const firstLine = lineOfEmail.get(parsed.data.email);
    if (firstLine !== undefined) {
      lines.push({ line, email: typedEmail, ok: false, field: 'email', messageKey: 'workingGroups.import.duplicateEmail', values: { line: firstLine } });
      continue;
    }
    lineOfEmail.set(parsed.data.email, line);
    lines.push({ line, email: parsed.data.email, ok: true, input: parsed.data });
  }
  return { ok: true, lines };
}

