/**
 * "The longest wait of other requests" while some heavy work runs: a visitor who keeps asking for a
 * cheap page (one request at a time, back to back) records how long each answer took. The longest
 * of those waits is what a real visitor would have suffered during the work.
 */
export interface WaitProbe {
  /** Stops asking and reports the longest and the median wait, in ms, and how many were asked. */
  stop(): Promise<{ longest: number; median: number; requests: number }>;
}

export function probeWaits(url: string, headers: Record<string, string> = {}): WaitProbe {
  const waits: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await fetch(url, { headers }).then((r) => r.arrayBuffer());
      } catch {
        // A refused or reset connection is a wait too: it is measured until it failed.
      }
      waits.push(performance.now() - started);
      // A short breath so the probe itself is not a load.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...waits].sort((a, b) => a - b);
      return { longest: sorted.at(-1) ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, requests: sorted.length };
    },
  };
}
