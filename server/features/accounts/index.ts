import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import { createAttemptCounters } from '../../platform/auth/attempt-counters';
import type { PasswordHasher } from '../../platform/auth/passwords';
import type { AddressThrottle } from '../../platform/auth/throttles';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import { createAccountsRepository } from './accounts.repository';
import { createAccountRoutes } from './accounts.routes';
import { createAccountsService } from './accounts.service';
import { createDevicesRepository } from './devices.repository';
import { createRoleGrantsService } from './role-grants.service';
import { createRoleProposalsRepository } from './role-proposals.repository';
import { createSignInService } from './sign-in.service';

export type { AccountsService } from './accounts.service';
export { DEVICE_TTL_MS } from './sign-in.service';

export interface AccountsDeps {
  knex: Knex;
  audit: AuditLog;
  clock: Clock;
  outbox: Outbox;
  emails: EmailComposer;
  passwords: PasswordHasher;
  publicUrl: string;
  /** Turns a client address into the pseudonym of its network (see createAddressPseudonyms). */
  addressKey: (address: string) => Promise<string>;
  /** Holds back sign-ins from a network that guesses a lot. */
  pause: (ms: number) => Promise<void>;
}

export function createAccounts(deps: AccountsDeps) {
  const repository = createAccountsRepository(deps.knex, () => deps.clock.now());
  const signIn = createSignInService({ ...deps, repository, devices: createDevicesRepository(deps.knex), counters: createAttemptCounters(deps.knex, deps.clock) });
  const service = createAccountsService({ ...deps, repository, forgetSignInFailures: signIn.forgetFailures });
  const roleGrants = createRoleGrantsService({ ...deps, repository, proposals: createRoleProposalsRepository(deps.knex) });
  return {
    service,
    repository,
    createRoutes: (options: { emailRequests: AddressThrottle; cookieSecure: boolean }) => createAccountRoutes({ service, signIn, roleGrants, ...options }),
  };
}
