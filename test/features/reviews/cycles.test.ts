import { agentFor, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { createCycle, openCycle } from '../../helpers/reviews';
import { factories } from '../../factories';
import { createCyclesRepository } from '../../../server/features/reviews/cycles.repository';

describe(`review cycles (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  const hr = async () => signedIn(context.app, await factories(knex()).account({ roles: ['hr'] }));
  const cycles = () => context.app.services.reviewCycles;

  it('when HR opens the list before any cycle exists, then it says there are none', async () => {
    const page = await (await hr()).get('/reviews/cycles').expect(200);
    expect(page.text).toContain('There are no review cycles yet.');
  });

  it('when HR opens the new-cycle form, then the code, its half-year and a review window are filled in, with default guidance', async () => {
    const page = await (await hr()).get('/reviews/cycles/new').expect(200);
    expect(page.text).toContain('name="code" type="text" value="2026-H2"');
    expect(page.text).toContain('value="2026-07-01"');
    expect(page.text).toContain('value="2026-12-31"');
    expect(page.text).toContain('value="2027-01-01"');
    expect(page.text).toContain('value="2027-01-31"');
    expect(page.text).toContain('Ask a balanced set of community members');
    const h1 = await (await hr()).get('/reviews/cycles/new?code=2027-H1').expect(200);
    expect(h1.text).toContain('value="2027-01-01"');
    expect(h1.text).toContain('value="2027-06-30"');
  });

  it('when HR creates a cycle with the period left empty, then the period follows from the code and the cycle is planned', async () => {
    const id = await createCycle(await hr(), { code: '2025-H1' });
    const row = await knex()('review_cycles').select('code', 'starts_on', 'ends_on', 'status', 'staff_see_unreviewed').where({ id }).first();
    expect(row).toMatchObject({ code: '2025-H1', starts_on: '2025-01-01', ends_on: '2025-06-30', status: 'planned' });
    expect(Boolean(row.staff_see_unreviewed)).toBe(false);
    expect(await knex()('audit_events').where({ action: 'review_cycle.create', subject_id: String(id) }).first()).toBeDefined();
  });

  it('when the code is malformed, taken, or the guidance empty, then the form comes back with clear messages and what was typed', async () => {
    const agent = await hr();
    await createCycle(agent, { code: '2024-H2' });
    const malformed = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2024-H3', reviewOpensOn: '2025-01-01', reviewClosesOn: '2025-01-31', guidance: 'Kept text' });
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain('Enter a code like 2026-H1 or 2026-H2.');
    expect(malformed.text).toContain('Kept text');
    const taken = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2024-h2', reviewOpensOn: '2025-01-01', reviewClosesOn: '2025-01-31', guidance: 'Text' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('There is already a review cycle with this code.');
    const noGuidance = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2023-H1', reviewOpensOn: '2023-07-01', reviewClosesOn: '2023-06-01', guidance: ' ' });
    expect(noGuidance.status).toBe(422);
    expect(noGuidance.text).toContain('Write the guidance for managers.');
    // Shaped like a date but not a day of the calendar.
    const notADay = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2023-H2', reviewOpensOn: '2024-02-30', reviewClosesOn: '2024-03-31', guidance: 'Kept guidance' });
    expect(notADay.status).toBe(422);
    expect(notADay.text).toContain('Enter a date like 2026-07-01.');
    expect(notADay.text).toContain('value="2024-02-30"');
    expect(notADay.text).toContain('Kept guidance');
  });

  it('when HR opens and then closes a cycle, then it moves planned → open → closed, each step audited, and never back', async () => {
    const agent = await hr();
    const id = await createCycle(agent, { code: '2030-H1', staffSeeUnreviewed: 'yes' });
    expect((await cycles().findCycle(id))!.staffSeeUnreviewed).toBe(true);
    await openCycle(agent, id);
    expect((await cycles().findCycle(id))!.status).toBe('open');
    expect((await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}/open`, {})).status).toBe(409);
    expect((await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}/close`, {})).status).toBe(303);
    expect((await cycles().findCycle(id))!.status).toBe('closed');
    expect((await postForm(agent, '/reviews/cycles', `/reviews/cycles/${id}/open`, {})).status).toBe(409);
    const edit = await postForm(agent, '/reviews/cycles', `/reviews/cycles/${id}`, { code: '2030-H1', reviewOpensOn: '2030-07-01', reviewClosesOn: '2030-07-31', guidance: 'New' });
    expect(edit.status).toBe(409);
    const actions = (await knex()('audit_events').select('action').where({ subject_type: 'review_cycle', subject_id: String(id) }).orderBy('id')).map((r) => r.action);
    expect(actions).toEqual(['review_cycle.create', 'review_cycle.open', 'review_cycle.close']);
  });

  it('when HR edits a planned cycle, then the changes are kept', async () => {
    const agent = await hr();
    const id = await createCycle(agent, { code: '2031-H2' });
    const res = await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}`, { code: '2031-H2', startsOn: '', endsOn: '', reviewOpensOn: '2032-01-05', reviewClosesOn: '2032-02-05', guidance: 'Changed guidance' });
    expect(res.status).toBe(303);
    expect(await cycles().findCycle(id)).toMatchObject({ reviewOpensOn: '2032-01-05', reviewClosesOn: '2032-02-05', guidance: 'Changed guidance', startsOn: '2031-07-01' });
  });

  it('when HR edits an open cycle, then the window and guidance may change but not its period', async () => {
    const agent = await hr();
    const id = await createCycle(agent, { code: '2032-H1' });
    await openCycle(agent, id);
    const moved = await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}`, { code: '2032-H2', startsOn: '', endsOn: '', reviewOpensOn: '2033-01-01', reviewClosesOn: '2033-01-31', guidance: 'Kept guidance' });
    expect(moved.status).toBe(422);
    expect(moved.text).toContain('its code and period can no longer change');
    expect(moved.text).toContain('Kept guidance');
    const window = await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}`, { code: '2032-H1', startsOn: '', endsOn: '', reviewOpensOn: '2032-07-02', reviewClosesOn: '2032-08-15', guidance: 'New guidance' });
    expect(window.status).toBe(303);
    expect(await cycles().findCycle(id)).toMatchObject({ startsOn: '2032-01-01', reviewClosesOn: '2032-08-15', guidance: 'New guidance' });
  });

  it('when a period is not its code\'s half-year, on create or edit, then the form refuses it with a field message and keeps what was typed', async () => {
    const agent = await hr();
    const create = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2033-H1', startsOn: '2033-01-01', endsOn: '2033-07-01', reviewOpensOn: '2033-07-02', reviewClosesOn: '2033-07-31', guidance: 'Kept text' });
    expect(create.status).toBe(422);
    expect(create.text).toMatch(/id="error-endsOn"[^>]*>A cycle&#x27;s period is the half-year of its code/);
    expect(create.text).toContain('value="2033-07-01"');
    expect(await knex()('review_cycles').where({ code: '2033-H1' }).first()).toBeUndefined();
    const id = await createCycle(agent, { code: '2033-H2' });
    const edit = await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}`, { code: '2033-H2', startsOn: '2033-06-30', endsOn: '', reviewOpensOn: '2034-01-01', reviewClosesOn: '2034-01-31', guidance: 'Text' });
    expect(edit.status).toBe(422);
    expect(edit.text).toMatch(/id="error-startsOn"[^>]*>A cycle&#x27;s period is the half-year of its code/);
    expect((await cycles().findCycle(id))!.startsOn).toBe('2033-07-01');
  });

  it('when a cycle stored before the rule overlaps a new period, then creating or moving a cycle onto it is refused', async () => {
    const agent = await hr();
    // A cycle from before periods had to match their codes: 2034-H1 running into July.
    await createCyclesRepository(knex(), () => clock.now()).insertCycle({ code: '2034-H1', startsOn: '2034-01-01', endsOn: '2034-07-10', reviewOpensOn: '2034-08-01', reviewClosesOn: '2034-08-31', staffSeeUnreviewed: false, guidance: 'Old' }, knex());
    const create = await postForm(agent, '/reviews/cycles/new', '/reviews/cycles', { code: '2034-H2', reviewOpensOn: '2035-01-01', reviewClosesOn: '2035-01-31', guidance: 'Text' });
    expect(create.status).toBe(422);
    expect(create.text).toMatch(/id="error-startsOn"[^>]*>This period shares days with another review cycle/);
    const id = await createCycle(agent, { code: '2035-H1' });
    const edit = await postForm(agent, `/reviews/cycles/${id}`, `/reviews/cycles/${id}`, { code: '2034-H2', startsOn: '', endsOn: '', reviewOpensOn: '2035-01-01', reviewClosesOn: '2035-01-31', guidance: 'Text' });
    expect(edit.status).toBe(422);
    expect(edit.text).toContain('This period shares days with another review cycle');
    expect((await cycles().findCycle(id))!.code).toBe('2035-H1');
  });

  it('when cycles exist, then the list is newest first and the packet engine finds the previous cycle and the one containing a day', async () => {
    const page = await (await hr()).get('/reviews/cycles').expect(200);
    const codes = [...page.text.matchAll(/>(\d{4}-H[12])</g)].map((m) => m[1]);
    // Every stored cycle, newest first: the codes sort as their periods do.
    const stored = (await knex()('review_cycles').pluck('code')).map(String);
    expect(stored.length).toBeGreaterThanOrEqual(5);
    expect(codes).toEqual([...stored].sort().reverse());
    const h2 = (await cycles().listCycles()).find((c) => c.code === '2031-H2')!;
    expect((await cycles().previousCycle(h2))!.code).toBe('2030-H1');
    expect((await cycles().cycleContaining(Date.parse('2030-03-15T12:00:00Z')))!.code).toBe('2030-H1');
    expect(await cycles().cycleContaining(Date.parse('2029-03-15T12:00:00Z'))).toBeUndefined();
  });

  it('when anyone but HR asks for the cycles, then they are refused', async () => {
    const f = factories(knex());
    const executive = await f.staffAccount({ isExecutive: true });
    for (const who of [executive, await f.account({ roles: ['admin'] }), await f.account({ roles: ['complaints'] })]) {
      const agent = await signedIn(context.app, who);
      await agent.get('/reviews/cycles').expect(403);
      await agent.get('/reviews/cycles/new').expect(403);
    }
    await agentFor(context.app).get('/reviews/cycles').expect(303);
  });
});
