import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { Dialect } from '../../platform/db';
import type { EscalationStep } from '../service-levels';
import { createEscalationService, type EscalationService } from './escalation.service';
import { createInboxService, type InboxDirectory, type InboxServiceLevels } from './inbox.service';
import { createRoutedItemsRepository } from './routed-items.repository';
import { createRoutingRulesRepository } from './routing-rules.repository';
import { createRoutingRoutes } from './routing.routes';
import { createRoutingService, type RoutingDirectory } from './routing.service';
import type { FeedbackSource } from './routing.schema';

export type { InboxService } from './inbox.service';
export { isAbout } from './inbox.service';
export type { RoutingService } from './routing.service';
export type { EscalationService } from './escalation.service';

export interface RoutingDeps {
  knex: Knex;
  dialect: Dialect;
  audit: AuditLog;
  clock: Clock;
  outbox: Outbox;
  emails: EmailComposer;
  publicUrl: string;
  directory: RoutingDirectory & InboxDirectory;
  /** How routing reads feedback content and submitter contacts, without importing the feedback feature. */
  source: FeedbackSource;
  serviceLevels: InboxServiceLevels & { escalationSteps(code: string): Promise<EscalationStep[]> };
}

export function createRouting(deps: RoutingDeps) {
  const now = () => deps.clock.now();
  const routing = createRoutingService({ knex: deps.knex, rules: createRoutingRulesRepository(deps.knex, now), directory: deps.directory, audit: deps.audit });
  const items = createRoutedItemsRepository(deps.knex, now);
  const inbox = createInboxService({ ...deps, items, now });
  const ladder = createEscalationService({ ...deps, items, escalationSteps: (code) => deps.serviceLevels.escalationSteps(code), now });
  // Held-back answers take effect first: they restart paused clocks the ladder reads.
  const escalation: EscalationService = {
    async runOnce(batchSize?: number) {
      await inbox.applyAnswers();
      return ladder.runOnce(batchSize);
    },
  };
  return { routing, inbox, escalation, routes: createRoutingRoutes({ inbox, routing, clockNow: now }) };
}
