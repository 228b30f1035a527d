import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

const CHUNK = 500;

export function createPopulationsRepository(knex: Knex) {
  return {
    async isFrozen(cycleId: number, db: Db = knex): Promise<boolean> {
      return (await db('cycle_populations').first('cycle_id').where({ cycle_id: cycleId })) !== undefined;
    },

    /** Copies every staff member's department and manager as they are now; fails on a population already frozen. */
    async freeze(cycleId: number, takenAt: number, db: Db): Promise<void> {
      await db('cycle_populations').insert({ cycle_id: cycleId, taken_at: takenAt });
      const staff = await db('staff_members').select('id', 'department_id', 'manager_id').orderBy('id');
      const rows = staff.map((s) => ({ cycle_id: cycleId, staff_member_id: s.id, department_id: s.department_id, manager_id: s.manager_id }));
      for (let i = 0; i < rows.length; i += CHUNK) await db('cycle_population_members').insert(rows.slice(i, i + CHUNK));
    },
  };
}
