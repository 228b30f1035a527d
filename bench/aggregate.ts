import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { SCALE_HR } from '../server/demo/scale';
import type { Database } from '../server/platform/db';
import { createLogger } from '../server/platform/logger';
import type { Row } from './scenarios';
import { compare, runInterleaved } from './stats';

/**
 * Every input packet of a closed cycle, built through the packets service as HR: all at once (what
 * the cycle's export costs) and one by one (a review week, each packet opened on its own page),
 * each against one hand-written GROUP BY over the same ratings (of those packets' staff); and how
 * many queries each packet took. Runs in this process: what is measured is the building, not HTTP.
 */
export async function aggregate(db: Database, env: Record<string, string>, rounds: number, cycleId: number, limit: number): Promise<Row[]> {
  const { services } = await createApp({ config: loadConfig(env), db, logger: createLogger('warn'), clock: { now: () => Date.now() } });
  const hrAccount = await db.knex('accounts').where({ email: SCALE_HR }).first('id');
  const hr = (await services.accounts.findActor(Number(hrAccount.id)))!;
  const cycle = await db.knex('review_cycles').where({ id: cycleId }).first('starts_on', 'ends_on');
  // `limit` packets only (all by default) for one by one; all at once builds every packet of the cycle.
  const everyone: number[] = await db.knex('cycle_population_members as p').join('staff_members as s', 's.id', 'p.staff_member_id').where({ 'p.cycle_id': cycleId, 's.community_facing': true }).whereNot('s.id', hr.staffMemberId ?? 0).orderBy('p.staff_member_id').pluck('p.staff_member_id');
  const staff = everyone.slice(0, limit);
  let queries = 0;
  const countQuery = () => void queries++;
  const timed = async (work: () => Promise<number>) => {
    queries = 0;
    db.knex.on('query', countQuery);
    const started = process.hrtime.bigint();
    const packets = await work();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    db.knex.off('query', countQuery);
    return { ms, perPacket: queries / packets };
  };
  const groupBy = (of: readonly number[]) => async () => {
    await db.knex('feedback_ratings as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id')
      .whereIn('f.staff_member_id', of)
      .andWhere('f.created_at', '>=', Date.parse(`${cycle.starts_on}T00:00:00Z`)).andWhere('f.created_at', '<', Date.parse(`${cycle.ends_on}T00:00:00Z`) + 86_400_000)
      .groupBy('f.staff_member_id', 'r.dimension_id', 'r.score').select('f.staff_member_id', 'r.dimension_id', 'r.score', db.knex.raw('count(*) as n'));
    return of.length;
  };
  const ways: Array<[string, readonly number[], () => Promise<number>]> = [
    [
      'all at once',
      everyone,
      async () => {
        let n = 0;
        for await (const _packet of services.packets.cycleRows(cycleId, hr.staffMemberId)) n++;
        return n;
      },
    ],
    [
      'one by one',
      staff,
      async () => {
        for (const id of staff) await services.packets.packet(hr, cycleId, Number(id));
        return staff.length;
      },
    ],
  ];
  const rows: Row[] = [];
  for (const [way, of, build] of ways) {
    const perPacket: number[] = [];
    const samples = await runInterleaved(rounds, {
      scenario: async () => {
        const { ms, perPacket: q } = await timed(build);
        perPacket.push(q);
        return { ms };
      },
      baseline: async () => ({ ms: (await timed(groupBy(of))).ms }),
    });
    rows.push(...compare(samples).map((c) => ({ ...c, name: `aggregate ${way}`, unit: 'ms', note: `${of.length} packets; queries per packet: ${perPacket.map((q) => q.toFixed(2)).join('/')}` })));
  }
  return rows;
}
