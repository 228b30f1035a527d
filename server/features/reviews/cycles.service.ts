import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { AuditLog } from '../../platform/audit';
import { hasAnyRole, type Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import type { CyclesRepository } from './cycles.repository';
import type { CycleInput, CycleStatus, ReviewCycle } from './cycles.schema';

type Db = Knex | Knex.Transaction;

export interface CyclesServiceDeps {
  knex: Knex;
  repository: CyclesRepository;
  audit: AuditLog;
  /** Freezes who was where for the cycle's figures (see populations.ts): a closed cycle has it at the latest. */
  freezePopulation(cycleId: number, db: Knex.Transaction): Promise<void>;
}

const dayOf = (at: number) => DateTime.fromMillis(at, { zone: 'utc' }).toISODate()!;

/** Planned → open → closed, and never back. */
const TRANSITIONS: Record<'open' | 'close', { from: CycleStatus; to: CycleStatus; refusal: string }> = {
  open: { from: 'planned', to: 'open', refusal: 'reviews.errors.cannotOpen' },
  close: { from: 'open', to: 'closed', refusal: 'reviews.errors.cannotClose' },
};

export function createCyclesService({ knex, repository, audit, freezePopulation }: CyclesServiceDeps) {
  const requireHr = (actor: Actor) => {
    if (!hasAnyRole(actor, ['hr'])) throw new ForbiddenError();
  };

  async function mustFindCycle(id: number, db: Db = knex): Promise<ReviewCycle> {
    const cycle = await repository.findCycle(id, db);
    if (!cycle) throw new NotFoundError();
    return cycle;
  }

  /** A code used by another cycle is a field error, whichever request wrote it first. */
  async function saving<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationError({ code: 'reviews.errors.codeTaken' });
      throw err;
    }
  }

  /**
   * Periods never overlap: figures of two periods sharing days would differ by a few inputs. Codes
   * fix the periods of new cycles; this also holds against cycles stored before that rule.
   */
  async function refuseOverlap(input: CycleInput, exceptId: number | null, db: Db): Promise<void> {
    if (await repository.overlapsAnother(input, exceptId, db)) throw new ValidationError({ startsOn: 'reviews.errors.periodOverlaps' });
  }

  async function move(actor: Actor, id: number, step: 'open' | 'close'): Promise<void> {
    requireHr(actor);
    const { from, to, refusal } = TRANSITIONS[step];
    await knex.transaction(async (trx) => {
      await mustFindCycle(id, trx);
      if (!(await repository.setStatus(id, from, to, trx))) throw new ConflictError(refusal);
      if (to === 'closed') await freezePopulation(id, trx);
      await audit.record({ actorAccountId: actor.accountId, action: `review_cycle.${step}`, subjectType: 'review_cycle', subjectId: id }, trx);
    });
  }

  return {
    // Reads for the rest of the reviews feature (input packets, solicited input): no actor, no audit.
    findCycle: (id: number, db?: Db): Promise<ReviewCycle | undefined> => repository.findCycle(id, db),
    mustFindCycle,
    /** Every cycle, newest period first. */
    listCycles: (db?: Db): Promise<ReviewCycle[]> => repository.listCycles(db),
    /** The cycle whose period ended last before this one's began. */
    previousCycle: (cycle: ReviewCycle, db?: Db): Promise<ReviewCycle | undefined> => repository.endingBefore(cycle.startsOn, db),
    /** The cycle whose period includes the day of `at` (epoch ms, UTC). */
    cycleContaining: (at: number, db?: Db): Promise<ReviewCycle | undefined> => repository.containingDay(dayOf(at), db),

    // HR's management of cycles.
    async list(actor: Actor): Promise<ReviewCycle[]> {
      requireHr(actor);
      return repository.listCycles();
    },

    async cycle(actor: Actor, id: number): Promise<ReviewCycle> {
      requireHr(actor);
      return mustFindCycle(id);
    },

    async create(actor: Actor, input: CycleInput): Promise<number> {
      requireHr(actor);
      return saving(() =>
        knex.transaction(async (trx) => {
          await refuseOverlap(input, null, trx);
          const id = await repository.insertCycle(input, trx);
          await audit.record({ actorAccountId: actor.accountId, action: 'review_cycle.create', subjectType: 'review_cycle', subjectId: id }, trx);
          return id;
        }),
      );
    },

    /**
     * A closed cycle is a record: it no longer changes. Once open, its period is fixed too: moving
     * its dates would let two readings of a packet differ by a handful of inputs.
     */
    async update(actor: Actor, id: number, input: CycleInput): Promise<void> {
      requireHr(actor);
      await saving(() =>
        knex.transaction(async (trx) => {
          const cycle = await mustFindCycle(id, trx);
          if (cycle.status === 'closed') throw new ConflictError('reviews.errors.closedCycle');
          if (cycle.status === 'open' && (input.code !== cycle.code || input.startsOn !== cycle.startsOn || input.endsOn !== cycle.endsOn)) {
            throw new ValidationError({ startsOn: 'reviews.errors.periodFixed' });
          }
          await refuseOverlap(input, id, trx);
          await repository.updateCycle(id, input, trx);
          await audit.record({ actorAccountId: actor.accountId, action: 'review_cycle.update', subjectType: 'review_cycle', subjectId: id }, trx);
        }),
      );
    },

    open: (actor: Actor, id: number) => move(actor, id, 'open'),
    close: (actor: Actor, id: number) => move(actor, id, 'close'),
  };
}

export type ReviewCyclesService = ReturnType<typeof createCyclesService>;
