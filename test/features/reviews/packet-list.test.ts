import { manualClock, postForm, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { reviewCycle } from '../../helpers/reviews';
import { factories } from '../../factories';

/** The staff names in the list's table, in order. */
function listedNames(html: string): string[] {
  const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<td><a href="\/reviews\/\d+\/packets\/\d+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]!);
}

describe('the list of packets in a cycle: filters and pages', () => {
  const clock = manualClock(Date.parse('2027-01-05T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let cycleId: number;
  let hr: Agent;
  let policyHead: Agent;
  let legalId: number;
  let policyId: number;
  const policyNames: string[] = [];
  const legalNames: string[] = [];

  beforeAll(async () => {
    const make = factories(knex());
    const policy = await make.department('Policy');
    const legal = await make.department('Legal');
    policyId = policy.id;
    legalId = legal.id;
    const executive = await make.staffAccount({ isExecutive: true, name: 'Zed Executive' });
    const policyManager = await make.staffAccount({ managerId: executive.staffMemberId, departmentId: policy.id, name: 'Policy Head' });
    const legalManager = await make.staffAccount({ managerId: executive.staffMemberId, departmentId: legal.id, name: 'Legal Head' });
    policyNames.push('Policy Head');
    legalNames.push('Legal Head');
    for (let i = 1; i <= 3; i++) policyNames.push((await make.staff({ name: `Policy ${String(i).padStart(2, '0')}`, managerId: policyManager.staffMemberId, departmentId: policy.id })).name);
    for (let i = 1; i <= 57; i++) legalNames.push((await make.staff({ name: `Legal ${String(i).padStart(2, '0')}`, managerId: legalManager.staffMemberId, departmentId: legal.id })).name);
    cycleId = await reviewCycle(knex(), '2026-H2');
    hr = await signedIn(context.app, await make.account({ roles: ['hr'] }));
    policyHead = await signedIn(context.app, policyManager);

    const [first] = await knex()('staff_members').select('id').where({ name: 'Policy 01' });
    const path = `/reviews/${cycleId}/packets/${first.id}`;
    expect((await postForm(policyHead, path, `${path}/review`, { notes: '' })).status).toBe(303);
  });

  const list = (agent: Agent, query = '') => agent.get(`/reviews/${cycleId}/packets${query}`).expect(200);
  const everyone = () => ['Zed Executive', ...policyNames, ...legalNames].sort((a, b) => a.localeCompare(b));

  it('when HR opens a large cycle, then packets come fifty to a page in name order, with a link to the next', async () => {
    const all = everyone();
    const first = await list(hr);
    expect(listedNames(first.text)).toEqual(all.slice(0, 50));
    expect(first.text).toContain(`Page 1 of 2 (${all.length} in all)`);
    expect(first.text).toContain(`href="/reviews/${cycleId}/packets?page&#x3D;2"`);
    expect(listedNames((await list(hr, '?page=2')).text)).toEqual(all.slice(50));
    // A page past the end shows the last one.
    expect(listedNames((await list(hr, '?page=99')).text)).toEqual(all.slice(50));
  });

  it('when HR filters by department or review state, then only those packets show, and paging keeps the filters', async () => {
    expect(listedNames((await list(hr, `?department=${policyId}`)).text)).toEqual([...policyNames].sort());
    expect(listedNames((await list(hr, '?state=reviewed')).text)).toEqual(['Policy 01']);
    expect(listedNames((await list(hr, `?department=${policyId}&state=unreviewed`)).text)).toEqual(policyNames.filter((n) => n !== 'Policy 01').sort());

    const legal = await list(hr, `?department=${legalId}&state=unreviewed`);
    expect(legal.text).toContain(`<option value="${legalId}" selected>Legal</option>`);
    expect(legal.text).toContain('<option value="unreviewed" selected>Not reviewed yet</option>');
    expect(legal.text).toContain(`href="/reviews/${cycleId}/packets?department&#x3D;${legalId}&amp;state&#x3D;unreviewed&amp;page&#x3D;2"`);
    expect(listedNames((await list(hr, `?department=${legalId}&state=unreviewed&page=2`)).text)).toEqual([...legalNames].sort().slice(50));
  });

  it('when a filter matches nothing or is not a value the list offers, then it says so or shows everything', async () => {
    const none = await list(hr, `?department=${policyId + legalId + 100}`);
    expect(listedNames(none.text)).toEqual([]);
    expect(none.text).toContain('No packets match these filters.');
    expect(none.text).toContain('Show all');
    expect(listedNames((await list(hr, '?department=abc&state=maybe')).text)).toEqual(everyone().slice(0, 50));
  });

  it('when a manager opens the list, then only their direct reports show, and only their departments are offered', async () => {
    const own = await list(policyHead);
    expect(listedNames(own.text)).toEqual(policyNames.slice(1));
    expect(own.text).toContain(`<option value="${policyId}"`);
    expect(own.text).not.toContain(`<option value="${legalId}"`);
    expect(own.text).not.toContain('class="pagination"');
    // Another department's filter finds nothing of theirs, and shows nobody else's.
    const other = await list(policyHead, `?department=${legalId}`);
    expect(listedNames(other.text)).toEqual([]);
    expect(other.text).toContain('No packets match these filters.');
    expect(other.text).not.toContain('Legal 01');
  });
});
