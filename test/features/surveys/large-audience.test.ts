import { manualClock, useTestApp, type Agent } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { closeSurvey, openSurvey, saveTemplate, surveyAdmin, TEST_DEFINITION } from '../../helpers/surveys';
import { INVITATION_BATCH_SIZE, SURVEY_INVITATIONS_JOB } from '../../../server/features/surveys/surveys.service';
import { JOB_BATCH_SIZE } from '../../../server/platform/jobs';

const AUDIENCE = 1200;
const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@community.test`);

describe(`opening a survey for a large audience invites it a batch at a time (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let admin: Agent;
  let templateId: number;

  beforeAll(async () => {
    admin = await surveyAdmin(context.app, knex());
    templateId = await saveTemplate(admin, TEST_DEFINITION, 'Large survey');
  });

  const invited = async (surveyId: number) => (await knex()('survey_invitations').select('email').where({ survey_id: surveyId })).map((r) => String(r.email));
  const invitationMails = async (list: string[]) => Number((await knex()('outbox_messages').whereIn('to_address', list).where({ template: 'survey-invitation' }).count({ n: '*' }).first())!.n);

  it('when a survey opens for thousands, then invitations and their e-mails go out batch by batch with progress, other requests are served between batches, and everyone is invited once', async () => {
    const audience = addresses('large', AUDIENCE);
    const id = await openSurvey(admin, { title: 'Large community survey', templateId: String(templateId), audience: 'list', addresses: audience.join('\n') });
    expect(await invited(id)).toEqual([]);
    // The audience waits in the job's items, a row per JOB_BATCH_SIZE addresses, not in the job's own row.
    const queued = await knex()('background_jobs').select('id', 'payload').where({ subject_type: 'survey', subject_id: id }).first();
    expect(String(queued.payload)).not.toContain('@community.test');
    expect(Number((await knex()('background_job_items').where({ job_id: queued.id }).count({ n: '*' }).first())!.n)).toBe(Math.ceil(AUDIENCE / JOB_BATCH_SIZE));
    const page = await admin.get(`/surveys/${id}`).expect(200);
    expect(page.text).toContain(`Invitations are going out a batch at a time: 0 of ${AUDIENCE} sent so far.`);
    expect(page.text).toContain('/public/js/progress.js');

    const progress: number[] = [];
    for (let step = 0; step < 2 * Math.ceil(AUDIENCE / INVITATION_BATCH_SIZE); step++) {
      await context.app.services.jobs.runOnce({ maxSteps: 1 });
      const sent = (await invited(id)).length;
      progress.push(sent);
      expect(await invitationMails(audience)).toBe(sent);
      // Nothing holds the database between batches: a small survey opens (and invites) meanwhile.
      const small = await openSurvey(admin, { title: `Small survey ${step}`, templateId: String(templateId), audience: 'list', addresses: `small${step}@community.test` });
      expect(await invited(small)).toEqual([`small${step}@community.test`]);
      if (sent === AUDIENCE) break;
    }
    expect(progress).toEqual(Array.from({ length: Math.ceil(AUDIENCE / INVITATION_BATCH_SIZE) }, (_, n) => Math.min(AUDIENCE, (n + 1) * INVITATION_BATCH_SIZE)));
    // As when a small audience is invited at once: each address once, and nobody else.
    expect((await invited(id)).sort()).toEqual([...audience].sort());
    expect((await admin.get(`/surveys/${id}`)).text).not.toContain('Invitations are going out');
    const job = await knex()('background_jobs').select('status', 'payload', 'progress_done').where({ subject_type: 'survey', subject_id: id }).first();
    expect({ ...job, progress_done: Number(job.progress_done) }).toEqual({ status: 'done', payload: null, progress_done: AUDIENCE });
    // And the addresses are gone with the job's end.
    expect(await knex()('background_job_items').where({ job_id: queued.id })).toEqual([]);
  });

  it('when a job queued before the audience moved to the job\'s items runs, then it invites the audience its payload holds', async () => {
    const id = await openSurvey(admin, { title: 'Queued before', templateId: String(templateId), audience: 'list', addresses: 'first@community.test' });
    const earlier = addresses('earlier', 3);
    await context.app.services.jobs.enqueue(SURVEY_INVITATIONS_JOB, { surveyId: id, invitees: earlier.map((email) => ({ email, locale: 'en' })) }, { requestedByAccountId: null });
    await context.app.services.jobs.runOnce();
    expect((await invited(id)).sort()).toEqual(['first@community.test', ...earlier].sort());
  });

  it('when a survey is closed while its invitations are going out, then nobody else is invited', async () => {
    const audience = addresses('closing', 600);
    const id = await openSurvey(admin, { title: 'Closed early', templateId: String(templateId), audience: 'list', addresses: audience.join('\n') });
    await context.app.services.jobs.runOnce({ maxSteps: 1 });
    expect(await invited(id)).toHaveLength(INVITATION_BATCH_SIZE);
    await closeSurvey(admin, id);
    await context.app.services.jobs.runOnce();
    expect(await invitationMails(audience)).toBe(INVITATION_BATCH_SIZE);
    const job = await knex()('background_jobs').select('status').where({ subject_type: 'survey', subject_id: id }).first();
    expect(job.status).toBe('done');
  });

  it('when a large survey closes, then its invitees are erased a batch at a time, and an erasure cut short is finished by the next sweep', async () => {
    const audience = addresses('erased', AUDIENCE);
    const id = await openSurvey(admin, { title: 'Erased on close', templateId: String(templateId), audience: 'list', addresses: audience.join('\n') });
    await context.app.services.jobs.runOnce();
    expect(await invited(id)).toHaveLength(AUDIENCE);

    const erasures: number[] = [];
    const watch = (q: { sql: string; bindings?: unknown[] }) => {
      if (/^update .survey_invitations./i.test(q.sql)) erasures.push((q.bindings ?? []).length);
    };
    knex().on('query', watch);
    try {
      await closeSurvey(admin, id);
    } finally {
      knex().off('query', watch);
    }
    // Each statement erases at most one batch (its bindings: the five erased fields and the ids).
    expect(erasures.length).toBeGreaterThanOrEqual(Math.ceil(AUDIENCE / 500));
    for (const bindings of erasures) expect(bindings).toBeLessThanOrEqual(500 + 5);
    expect((await invited(id)).every((email) => email === 'null')).toBe(true);

    const erasedAt = async () => (await knex()('surveys').select('invitees_erased_at').where({ id }).first()).invitees_erased_at;
    expect(Number(await erasedAt())).toBe(clock.now());

    // As if the process had died after closing and before erasing: the survey sweep erases them.
    await knex()('survey_invitations').where({ survey_id: id }).update({ email: 'left@community.test' });
    await knex()('surveys').where({ id }).update({ invitees_erased_at: null });
    await context.app.services.surveys.sweep();
    expect((await invited(id)).every((email) => email === 'null')).toBe(true);
    expect(await erasedAt()).not.toBeNull();
  });
});
