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
 * A real SMTP server in the test process (port 0). `down()` makes it refuse every message, as an
 * unavailable server would; `up()` restores it.
 */
export async function startSmtpServer() {
  const received: ReceivedEmail[] = [];
  let refusal: number | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      if (refusal !== null) {
        const code = refusal;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Service unavailable'), { responseCode: code })));
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
    /** Refuses every message: 421 is a temporary failure, 550 a permanent one. */
    down: (responseCode = 421) => (refusal = responseCode),
    up: () => (refusal = null),
    to: (address: string) => received.filter((m) => m.to.includes(address)),
    close: () => {
      transport.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

/** The first link in a message that starts with `prefix`. */
export function linkIn(email: ReceivedEmail, prefix: string): string {
  const match = email.text.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\S+`));
  if (!match) throw new Error(`no link starting ${prefix} in "${email.subject}"`);
  return match[0];
}
