import type { Knex } from 'knex';
import type { FeedbackKind, RoutingRule, RoutingRuleInput, RoutingTarget } from './routing.schema';

type Db = Knex | Knex.Transaction;

const nullableFlag = (v: unknown): boolean | null => (v == null ? null : v === true || v === 1 || v === '1');

export function createRoutingRulesRepository(knex: Knex, now: () => number) {
  const columns = (input: RoutingRuleInput) => ({
    position: input.position,
    kind: input.kind,
    subject_is_manager: input.subjectIsManager,
    escalation_requested: input.escalationRequested,
    target: input.target,
  });
  return {
    async list(db: Db = knex): Promise<RoutingRule[]> {
      const rows = await db('routing_rules').select('id', 'position', 'kind', 'subject_is_manager', 'escalation_requested', 'target').orderBy([{ column: 'position' }, { column: 'id' }]);
      return rows.map((r) => ({
        id: Number(r.id),
        position: Number(r.position),
        kind: (r.kind ?? null) as FeedbackKind | null,
        subjectIsManager: nullableFlag(r.subject_is_manager),
        escalationRequested: nullableFlag(r.escalation_requested),
        target: r.target as RoutingTarget,
      }));
    },
    async insert(input: RoutingRuleInput, db: Db = knex): Promise<number> {
      const [id] = await db('routing_rules').insert({ ...columns(input), created_at: now(), updated_at: now() });
      return Number(id);
    },
    async remove(id: number, db: Db = knex): Promise<boolean> {
      return (await db('routing_rules').where({ id }).delete()) === 1;
    },
  };
}

export type RoutingRulesRepository = ReturnType<typeof createRoutingRulesRepository>;
