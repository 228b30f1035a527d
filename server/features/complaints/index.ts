import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { AddressThrottle } from '../../platform/auth/throttles';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { ServiceLevelsService, ServiceLevelTarget } from '../service-levels';
import { createComplaintsRepository } from './complaints.repository';
import { createComplaintsRoutes } from './complaints.routes';
import { COMPLAINTS_SERVICE, createComplaintsService } from './complaints.service';

export { COMPLAINTS_SERVICE } from './complaints.service';

export function createComplaints(deps: {
  knex: Knex;
  clock: Clock;
  audit: AuditLog;
  outbox: Outbox;
  emails: EmailComposer;
  publicUrl: string;
  serviceLevels: ServiceLevelsService;
  officerEmails(db: Knex.Transaction): Promise<string[]>;
  complainantEmail(accountId: number, db: Knex.Transaction): Promise<string | undefined>;
  /** The Complaints Office's target in force, shown before a complaint is made. */
  target(): Promise<ServiceLevelTarget | undefined>;
  /** Complaints filed per client network (database-backed, as every throttle). */
  submissions: AddressThrottle;
}) {
  const now = () => deps.clock.now();
  const service = createComplaintsService({ ...deps, repository: createComplaintsRepository(deps.knex, now), now });
  return { service, routes: createComplaintsRoutes({ complaints: service, target: deps.target, submissions: deps.submissions }), serviceCode: COMPLAINTS_SERVICE };
}
