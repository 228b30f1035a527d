import type { RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { addressNetwork } from '../auth/throttles';
import { TooManyRequestsError } from '../errors';

/**
 * A limit on how often one client network may read a public page, counted in this process's memory:
 * a read changes nothing that processes need to agree on (each refuses what it would serve), and a
 * database write per view would cost more than the page. Nothing is stored, so nothing can be traced.
 */
export function publicReadLimit(options: { points: number; durationSeconds: number }): RequestHandler {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });
  return async (req, _res, next) => {
    try {
      await limiter.consume(addressNetwork(req.ip ?? 'unknown'));
    } catch (refusal) {
      if (refusal instanceof Error) throw refusal;
      throw new TooManyRequestsError(Math.ceil((refusal as { msBeforeNext: number }).msBeforeNext / 1000));
    }
    next();
  };
}
