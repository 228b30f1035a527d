import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';

// 2026-H1: Policy has S1 with six items and S2 with two; Engagement (S3) six and Legal (S5) five,
// so the trends show each department's number of items.
const ITEMS = { s1: 6, s2: 2, s3: 6, s5: 5 } as const;
const COMPLEMENT = 'Withheld: would reveal a small remainder of the department.';

describe(`a packet's item counts beside its department's (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it("when one staff member of a department has fewer items than the minimum, then the department's count minus the others' shown counts never tells how many", async () => {
    const org = await reviewOrganisation(knex());
    const h1 = await reviewCycle(knex(), '2026-H1');
    for (const [key, count] of Object.entries(ITEMS) as Array<[keyof typeof ITEMS, number]>) {
      for (let i = 0; i < count; i++) {
        clock.advance(60_000);
        await giveFeedback(context.app, knex(), org[key].staffMemberId, { comment: `${key} item ${i}` });
      }
    }
    clock.advance(Date.parse('2026-07-10T10:00:00Z') - clock.now());
    const hr = await signedIn(context.app, org.hr);

    const trends = (await hr.get('/reviews/trends').set('Accept', 'application/json').expect(200)).body as { handling: Array<{ department: string; cells: Array<{ items?: number }> }> };
    const policyItems = trends.handling.find((h) => h.department === 'Policy')!.cells[0]!.items;
    expect(policyItems).toBe(ITEMS.s1 + ITEMS.s2);

    const total = async (key: 's1' | 's2') => {
      const page = (await hr.get(`/reviews/${h1}/packets/${org[key].staffMemberId}`).expect(200)).text;
      return page.match(/data-figure="total">(\d+)</)?.[1] ?? page.match(/data-testid="kinds-withheld">([^<]+)</)?.[1];
    };
    // Policy's eight less S1's six would be S2's two: S1's count is withheld with S2's.
    expect(await total('s2')).toBe('Withheld: fewer than 5 people.');
    expect(await total('s1')).toBe(COMPLEMENT);
  });
});
