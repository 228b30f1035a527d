import type { Logger } from '../platform/logger';

/** Runs `work` every `intervalMs`, never two at once in this process; `stop` waits for the current run. */
export function periodic(name: string, work: () => Promise<unknown>, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(intervalMs: number) {
      if (intervalMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return;
        running = work()
          .catch((err) => logger.error({ err, job: name }, 'job run failed'))
          .finally(() => (running = undefined));
      }, intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
