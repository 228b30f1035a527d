/**
 * The management chain as a map from a person to their manager. Used to refuse changes that would
 * make someone their own (indirect) manager, and to walk up to the executive.
 */
export type ManagementLinks<K> = Map<K, K | null>;

/** The first cycle found, as the list of people in it, or null when the chain is a forest. */
export function findCycle<K>(links: ManagementLinks<K>): K[] | null {
  const settled = new Set<K>();
  for (const start of links.keys()) {
    const path: K[] = [];
    const onPath = new Set<K>();
    let current: K | null | undefined = start;
    while (current != null && !settled.has(current)) {
      if (onPath.has(current)) return path.slice(path.indexOf(current));
      onPath.add(current);
      path.push(current);
      current = links.get(current);
    }
    for (const k of path) settled.add(k);
  }
  return null;
}

/** Everyone in the cycles of the chain (a person may be in at most one). */
export function membersOfCycles<K>(links: ManagementLinks<K>): Set<K> {
  const inCycle = new Set<K>();
  const remaining = new Map(links);
  for (;;) {
    const cycle = findCycle(remaining);
    if (!cycle) return inCycle;
    for (const k of cycle) {
      inCycle.add(k);
      remaining.set(k, null);
    }
  }
}

/** The chain above a person, nearest manager first; stops at the top or at a repeat. */
export function chainAbove<K>(links: ManagementLinks<K>, person: K): K[] {
  const chain: K[] = [];
  const seen = new Set<K>([person]);
  let current = links.get(person) ?? null;
  while (current != null && !seen.has(current)) {
    chain.push(current);
    seen.add(current);
    current = links.get(current) ?? null;
  }
  return chain;
}
