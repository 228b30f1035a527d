import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
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

describe('mail transport with SMTP settings', () => {
  it('when several messages are sent one after another, then they share one connection', async () => {
    let connections = 0;
    let accepted = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => (connections++, callback()),
      onData: (stream, _session, callback) => (stream.resume(), stream.on('end', () => (accepted++, callback()))),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}?ignoreTLS=true`, mailDir: '' });
    try {
      expect(transport.kind).toBe('smtp');
      for (let n = 1; n <= 5; n++) await transport.send({ messageId: `<outbox-${n}@test>`, from: 'a@test', to: 'b@test', subject: `Message ${n}`, text: 'Body\n', html: '<p>Body</p>' });
      expect(accepted).toBe(5);
      expect(connections).toBe(1);
    } finally {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
