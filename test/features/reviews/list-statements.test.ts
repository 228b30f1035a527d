import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { statementsOf } from '../../helpers/queries';
import { reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import { factories } from '../../factories';

describe('the statements the packets list, reviews index and progress run', () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when the organisation grows by managers and their teams, then the packets list, the reviews index and HR\'s progress run as many statements as before', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H1', { status: 'open' });
    const hr = await signedIn(context.app, org.hr);
    const paths = ['/reviews', `/reviews/${cycleId}/packets`, `/reviews/${cycleId}/progress`];
    const count = async () => {
      const counts: number[] = [];
      for (const path of paths) counts.push((await statementsOf(knex(), () => hr.get(path).expect(200))).statements.length);
      return counts;
    };
    // Once first: sessions and caches settle.
    await count();
    const before = await count();
    const make = factories(knex());
    for (let m = 0; m < 4; m++) {
      const manager = await make.staffAccount({ managerId: org.executive.staffMemberId, departmentId: org.departments.legal.id });
      for (let s = 0; s < 3; s++) await make.staffAccount({ managerId: manager.staffMemberId, departmentId: org.departments.legal.id });
    }
    const after = await count();
    expect(after).toEqual(before);
  });
});
