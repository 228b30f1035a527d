import type { Request } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { addressNetwork } from '../auth/throttles';
import { TooManyRequestsError } from '../errors';

/**
 * A limit on how often one client network may read a public page, counted in this process's memory:
 * a read changes nothing that processes need to agree on (each refuses what it would serve), and a
 * database write per view would cost more than the page. Nothing is stored, so nothing can be traced.
 */
export function publicReadLimit(options: { points: number; durationSeconds: number }): (req: Request) => Promise<void> {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });
  /** Counts one read; refuses it (429, with the wait) once the client's network is over its limit. */
  return async (req) => {
    try {
      await limiter.consume(addressNetwork(req.ip ?? 'unknown'));
    } catch (refusal) {
      if (refusal instanceof Error) throw refusal;
      throw new TooManyRequestsError(Math.ceil((refusal as { msBeforeNext: number }).msBeforeNext / 1000));
    }
  };
}
