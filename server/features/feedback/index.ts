import type { Knex } from 'knex';
import type { Clock } from '../../platform/clock';
import type { FeedbackSource } from '../routing/routing.schema';
import { createFeedbackRepository } from './feedback.repository';
import { createFeedbackRoutes, type FeedbackRouteDeps } from './feedback.routes';
import { createFeedbackService, type FeedbackServiceDeps } from './feedback.service';
import { createIdentityRepository } from './identity.repository';

export type { FeedbackService, SolicitedRequests } from './feedback.service';

/**
 * Built in two steps because routing reads feedback content (through FeedbackSource) and feedback
 * routes new items (through routing): `source` first, then `create` once routing exists.
 */
export function createFeedbackStore(knex: Knex, clock: Clock) {
  const repository = createFeedbackRepository(knex, () => clock.now());
  const identities = createIdentityRepository(knex);
  const source: FeedbackSource = {
    contentFor: (ids, db) => repository.contentFor(ids, db),
    namedSubmitter: (id) => identities.namedSubmitter(id),
    namedSubmitters: (ids) => identities.namedSubmitters(ids),
    submitterContact: (id, db) => identities.contact(id, db),
    unsealedBy: (accountId, id) => repository.unsealedBy(accountId, id),
  };
  return {
    source,
    /** Who gave named feedback about a staff member: suggestions for solicited input. */
    namedSubmittersAbout: (staffMemberId: number, recipient: number | null) => identities.namedSubmittersAbout(staffMemberId, recipient),
    create(deps: Omit<FeedbackServiceDeps, 'knex' | 'repository' | 'identities' | 'now'> & Omit<FeedbackRouteDeps, 'feedback'>) {
      const service = createFeedbackService({ ...deps, knex, repository, identities, now: () => clock.now() });
      return { service, routes: createFeedbackRoutes({ ...deps, feedback: service }) };
    },
  };
}
