import { createTestApp, manualClock, useTestApp, type TestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { factories } from '../../factories';

const DAY = 86_400_000;

describe(`milestone assessments: one survey per group and milestone, one at a time (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  /** A second instance on the same database, as another process would be. */
  let other: TestApp;
  let templateId: number;

  beforeAll(async () => {
    other = await createTestApp({ db: context.database.db, clock });
    const [row] = await knex()('survey_templates').select('id').where({ code: 'wg-self-assessment' });
    templateId = Number(row.id);
  });

  const surveysOf = (groupId: number) => knex()('surveys').select('milestone', 'status').where({ working_group_id: groupId }).orderBy('id');
  const group = async (fields: { initialReportOn?: string | null; closedOn?: string | null }) => {
    const make = factories(knex());
    const created = await make.workingGroup({ assessmentTemplateId: templateId, assessmentDays: 14, ...fields });
    await make.groupMember(created.id);
    return created;
  };
  /** Several sweeps at once, in both instances, and again after they finish. */
  const sweepsEverywhere = async () => {
    const results = await Promise.all([context.app.services.surveys.sweep(), other.services.surveys.sweep(), context.app.services.surveys.sweep(), other.services.surveys.sweep()]);
    const again = await Promise.all([context.app.services.surveys.sweep(), other.services.surveys.sweep()]);
    return [...results, ...again].reduce((sum, r) => sum + r.opened, 0);
  };

  it('when sweeps run repeatedly and concurrently in two processes, then a reached milestone opens exactly one survey', async () => {
    const g = await group({ initialReportOn: '2026-11-22' });
    expect(await sweepsEverywhere()).toBe(1);
    expect(await surveysOf(g.id)).toEqual([{ milestone: 'initial_report', status: 'open' }]);
  });

  it('when several milestones are recorded at once, already past, then one assessment opens (the latest milestone) and the earlier is passed, also after it closes', async () => {
    const g = await group({ initialReportOn: '2026-09-01', closedOn: '2026-11-01' });
    expect(await sweepsEverywhere()).toBe(1);
    expect(await surveysOf(g.id)).toEqual([{ milestone: 'closure', status: 'open' }]);
    const audit = await knex()('audit_events').select('detail').where({ action: 'survey.create' }).orderBy('id', 'desc').first();
    expect(JSON.parse(typeof audit.detail === 'string' ? audit.detail : JSON.stringify(audit.detail))).toEqual({ workingGroupId: g.id, milestone: 'closure', passed: ['initial_report'] });

    clock.advance(15 * DAY);
    await sweepsEverywhere();
    // Closed, and the passed initial report does not open one afterwards.
    expect(await surveysOf(g.id)).toEqual([{ milestone: 'closure', status: 'closed' }]);
  });

  it('when a milestone is reached while the group\'s assessment still runs, then it waits for that one to close, and then opens once', async () => {
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    const g = await group({ initialReportOn: today });
    expect(await sweepsEverywhere()).toBe(1);
    await knex()('working_groups').where({ id: g.id }).update({ closed_on: today });
    expect(await sweepsEverywhere()).toBe(0);
    expect(await surveysOf(g.id)).toEqual([{ milestone: 'initial_report', status: 'open' }]);

    clock.advance(14 * DAY);
    // One sweep closes the first (after trying to open); the next opens the queued milestone's.
    await sweepsEverywhere();
    await sweepsEverywhere();
    expect(await surveysOf(g.id)).toEqual([
      { milestone: 'initial_report', status: 'closed' },
      { milestone: 'closure', status: 'open' },
    ]);
  });
});
