import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { SCALE_HR } from '../server/demo/scale';
import type { Database } from '../server/platform/db';
import { createLogger } from '../server/platform/logger';
import type { Row } from './scenarios';
import { compare, runInterleaved } from './stats';

/**
 * Every input packet of a closed cycle, built through the packets service (as HR), against one
 * hand-written GROUP BY over the same ratings (of those packets' staff); and how many queries each packet took. Runs in this
 * process: what is measured is the building, not HTTP.
 */
export async function aggregate(db: Database, env: Record<string, string>, rounds: number, cycleId: number, limit: number): Promise<Row[]> {
  const { services } = await createApp({ config: loadConfig(env), db, logger: createLogger('warn'), clock: { now: () => Date.now() } });
  const hrAccount = await db.knex('accounts').where({ email: SCALE_HR }).first('id');
  const hr = (await services.accounts.findActor(Number(hrAccount.id)))!;
  const cycle = await db.knex('review_cycles').where({ id: cycleId }).first('starts_on', 'ends_on');
  // `limit` packets only (all by default): on a slow build, a run of every packet can take many minutes.
  const staff: number[] = (await db.knex('cycle_population_members').where({ cycle_id: cycleId }).orderBy('staff_member_id').pluck('staff_member_id')).slice(0, limit);
  let queries = 0;
  const countQuery = () => void queries++;
  const timed = async (work: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const perPacket: number[] = [];
  const samples = await runInterleaved(rounds, {
    scenario: async () => {
      queries = 0;
      db.knex.on('query', countQuery);
      const ms = await timed(async () => {
        for (const id of staff) await services.packets.packet(hr, cycleId, Number(id));
      });
      db.knex.off('query', countQuery);
      perPacket.push(queries / staff.length);
      return { ms };
    },
    baseline: async () => ({
      ms: await timed(() =>
        db.knex('feedback_ratings as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id')
          .whereIn('f.staff_member_id', staff)
          .andWhere('f.created_at', '>=', Date.parse(`${cycle.starts_on}T00:00:00Z`)).andWhere('f.created_at', '<', Date.parse(`${cycle.ends_on}T00:00:00Z`) + 86_400_000)
          .groupBy('f.staff_member_id', 'r.dimension_id', 'r.score').select('f.staff_member_id', 'r.dimension_id', 'r.score', db.knex.raw('count(*) as n')),
      ),
    }),
  });
  return compare(samples).map((c) => ({ ...c, name: `aggregate (${staff.length} packets)`, unit: 'ms', note: `queries per packet: ${perPacket.map((q) => q.toFixed(1)).join('/')}` }));
}
