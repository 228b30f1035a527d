import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailTransport {
  /** Sends one message; rejects when the message could not be handed over. */
  send(message: { messageId: string; from: string; to: string; subject: string; text: string; html: string }): Promise<void>;
  readonly kind: 'smtp' | 'directory';
  /** Lets go of open connections (the SMTP pool). */
  close(): void;
}

// With SMTP_URL set, messages go to that server; without it (the default run) each message is written
// as an .eml file under MAIL_DIR, where a developer can open it.
export function createMailTransport(options: { smtpUrl?: string; mailDir: string }): MailTransport {
  if (options.smtpUrl) {
    // Timeouts well inside the outbox's claim, so a slow server cannot outlive it.
    // Pooled: a connection is kept for the next message. A new connection for every message cost
    // about 100 ms of handshake, which held the outbox to about ten messages a second.
    const transporter = nodemailer.createTransport({ url: options.smtpUrl, pool: true, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
    return {
      kind: 'smtp',
      async send(message) {
        await transporter.sendMail(message);
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'directory',
    async send(message) {
      const info = await transporter.sendMail(message);
      await fs.mkdir(options.mailDir, { recursive: true });
      const file = path.join(options.mailDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${message.messageId.replace(/[^a-z0-9-]/gi, '')}.eml`);
      await fs.writeFile(file, info.message as Buffer);
    },
    close: () => undefined,
  };
}
