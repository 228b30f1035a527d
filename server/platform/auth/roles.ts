export const ROLES = ['member', 'staff', 'manager', 'executive', 'hr', 'complaints', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles granted by hand; staff, manager and executive follow from the directory. */
export const ASSIGNABLE_ROLES = ['member', 'hr', 'complaints', 'admin'] as const satisfies readonly Role[];

/**
 * Roles that read identities or content (HR, the complaints officer), and admin, which grants them
 * (else an admin could make a second account of their own an admin and approve with it). Granting
 * one takes a second administrator's approval, and nobody proposes one for themselves. Ombuds and
 * board roles belong here when they exist.
 */
export const ROLES_NEEDING_APPROVAL = ['hr', 'complaints', 'admin'] as const satisfies readonly (typeof ASSIGNABLE_ROLES)[number][];

export function needsApproval(role: Role): boolean {
  return (ROLES_NEEDING_APPROVAL as readonly Role[]).includes(role);
}

/** Everyone who works for the organisation and may read its directory. */
export const ORGANISATION_ROLES: readonly Role[] = ['staff', 'manager', 'executive', 'hr', 'complaints', 'admin'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The signed-in account as routes see it: no password hash, no tokens. */
export interface Actor {
  readonly accountId: number;
  readonly email: string;
  readonly displayName: string;
  readonly staffMemberId: number | null;
  readonly roles: readonly Role[];
  readonly locale: string;
}

export function hasAnyRole(actor: Actor | undefined, roles: readonly Role[]): boolean {
  return !!actor && actor.roles.some((r) => roles.includes(r));
}
