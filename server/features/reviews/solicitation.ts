import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { createTokenSeal } from '../surveys';
import type { ReviewCyclesService } from './cycles.service';
import { createSolicitationRepository } from './solicitation.repository';
import { createSolicitationRoutes } from './solicitation.routes';
import { createSolicitationService, type SolicitationDirectory, type SuggestionSources } from './solicitation.service';

export type { SolicitationService, SolicitationDirectory, SuggestionSources } from './solicitation.service';
export type { RequestLinkState, SolicitationRequest, Suggestion } from './solicitation.schema';

/**
 * Solicited input (WS2 7.2.2): a manager asks chosen community members for input on a
 * community-facing staff member before a review. Answers arrive through the feedback form; the
 * feedback keeps only that it was solicited, never which request it answered.
 */
export function createSolicitations(deps: {
  knex: Knex;
  clock: Clock;
  audit: AuditLog;
  outbox: Outbox;
  emails: EmailComposer;
  publicUrl: string;
  cycles: Pick<ReviewCyclesService, 'findCycle'>;
  directory: SolicitationDirectory;
  suggestions: SuggestionSources;
  /** The application key that seals request links, so a reminder can repeat the link until the deadline. */
  linkSecret: string;
  /** Below this many people asked, the page suggests asking more. */
  minimumGroupSize: number;
}) {
  const now = () => deps.clock.now();
  const repository = createSolicitationRepository(deps.knex, now);
  const service = createSolicitationService({ ...deps, repository, seal: createTokenSeal(deps.linkSecret), handleKey: deps.linkSecret, now });
  return { service, routes: createSolicitationRoutes({ solicitations: service, minimumGroupSize: deps.minimumGroupSize }) };
}
