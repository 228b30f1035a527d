import { readCsv } from '../../platform/csv-import';
import { emailAddress } from '../../platform/http/fields';

/** At most this many lines are named when a file has bad addresses. */
const LINES_NAMED = 5;

export type AudienceFileResult = { readonly addresses: string[] } | { readonly problem: string; readonly values?: Readonly<Record<string, string | number>> };

/**
 * The addresses of an audience list sent as a CSV file with an "email" column; other columns (a
 * name, say) are ignored. A file with any bad address is refused whole, naming its lines.
 */
export async function addressesFromCsv(csv: string): Promise<AudienceFileResult> {
  const read = await readCsv(csv);
  if ('unreadableAt' in read) return { problem: 'surveys.errors.fileUnreadable', values: { line: read.unreadableAt } };
  if (!read.header.includes('email')) return { problem: 'surveys.errors.fileNoEmailColumn' };
  const addresses: string[] = [];
  const badLines: number[] = [];
  for (const { record, line } of read.records) {
    const parsed = emailAddress.safeParse(record.email ?? '');
    if (parsed.success) addresses.push(parsed.data);
    else badLines.push(line);
  }
  if (badLines.length > 0) return { problem: 'surveys.errors.fileAddressInvalid', values: { lines: badLines.slice(0, LINES_NAMED).join(', '), count: badLines.length } };
  if (addresses.length === 0) return { problem: 'surveys.errors.fileEmpty' };
  return { addresses };
}
