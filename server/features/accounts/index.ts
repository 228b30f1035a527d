import type { Knex } from 'knex';
import type { PassportInstance } from '../../platform/auth/passport';
import type { AuditLog } from '../../platform/audit';
import type { PasswordHasher } from '../../platform/auth/passwords';
import type { AddressThrottle, SignInThrottle } from '../../platform/auth/throttles';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { createAccountsRepository } from './accounts.repository';
import { createAccountRoutes } from './accounts.routes';
import { createAccountsService } from './accounts.service';

export type { AccountsService } from './accounts.service';

export interface AccountsDeps {
  knex: Knex;
  audit: AuditLog;
  clock: Clock;
  outbox: Outbox;
  emails: EmailComposer;
  passwords: PasswordHasher;
  publicUrl: string;
}

export function createAccounts(deps: AccountsDeps) {
  const repository = createAccountsRepository(deps.knex, () => deps.clock.now());
  const service = createAccountsService({ ...deps, repository });
  return {
    service,
    repository,
    createRoutes: (options: { passport: PassportInstance; throttle: SignInThrottle; emailRequests: AddressThrottle }) => createAccountRoutes({ service, ...options }),
  };
}
