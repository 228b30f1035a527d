/** An SMTP server in the run's own process that records the Message-ID of every message it accepts. */
import { SMTPServer } from 'smtp-server';

export interface CapturingSmtp {
  readonly port: number;
  /** Message-IDs of the accepted messages, one entry per acceptance. */
  readonly received: string[];
  /** Answers 421 (try again later) to every message, as an overloaded server would. */
  refuse(): void;
  /** Stops listening: connections are refused, as with a server that is down. */
  stop(): Promise<void>;
  /** Accepts messages again, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startCapturingSmtp(): Promise<CapturingSmtp> {
  const received: string[] = [];
  let refusing = false;
  const open = async (port: number) => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8192) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          if (refusing) return callback(Object.assign(new Error('Service unavailable'), { responseCode: 421 }));
          received.push(head.match(/^Message-ID:\s*(\S+)/im)?.[1] ?? '(none)');
          callback();
        });
      },
    });
    // A client killed mid-conversation (the SIGKILL fault) resets its connection: that is the fault
    // being measured, not the receiver's failure.
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  const close = (server: SMTPServer) => new Promise<void>((resolve) => server.close(() => resolve()));
  let server: SMTPServer | undefined = await open(0);
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    received,
    refuse: () => (refusing = true),
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) await close(closing);
    },
    async start() {
      refusing = false;
      server ??= await open(port);
    },
    close: async () => {
      if (server) await close(server);
    },
  };
}
