import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { createMailTransport, type MailTransport } from '../../server/platform/mail/transport';

export interface ReceivedEmail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
}

/**
 * A real SMTP server in the test process (port 0). `down()` makes it refuse every message with a
 * temporary failure, as a server that is unavailable would; `up()` restores it.
 */
export async function startSmtpServer() {
  const received: ReceivedEmail[] = [];
  let accepting = true;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      if (!accepting) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Service unavailable'), { responseCode: 421 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
          received.push({ to, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '', messageId: mail.messageId ?? '' });
          callback();
        },
        (err) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const transport: MailTransport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`, mailDir: '' });
  return {
    port,
    transport,
    received,
    down: () => (accepting = false),
    up: () => (accepting = true),
    to: (address: string) => received.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

/** The first link in a message that starts with `prefix`. */
export function linkIn(email: ReceivedEmail, prefix: string): string {
  const match = email.text.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\S+`));
  if (!match) throw new Error(`no link starting ${prefix} in "${email.subject}"`);
  return match[0];
}
