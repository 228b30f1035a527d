import { execFileSync } from 'node:child_process';

/**
 * A PDF's text, read back with poppler's pdftotext (Debian's poppler-utils, installed by
 * test/setup/prepare.sh). Without it the tests that use this fail: they never pass by skipping.
 */
export function pdfToText(pdf: Buffer): string {
  try {
    return execFileSync('pdftotext', ['-q', '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('pdftotext is missing: install poppler-utils (apt-get install -y poppler-utils) or run test/setup/prepare.sh');
    }
    throw error;
  }
}
