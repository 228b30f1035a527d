import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMailTransport } from '../../server/platform/mail/transport';

describe('mail transport without SMTP settings', () => {
  it('when a message is sent, then it is written as an .eml file a developer can open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accountable-mail-'));
    try {
      const transport = createMailTransport({ mailDir: dir });
      expect(transport.kind).toBe('directory');
      await transport.send({ messageId: '<outbox-7@test>', from: 'a@test', to: 'b@test', subject: 'Readable subject', text: 'Plain body\n', html: '<p>Plain body</p>' });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/outbox-7test\.eml$/);
      const raw = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
      expect(raw).toContain('Subject: Readable subject');
      expect(raw).toContain('Plain body');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
