import type { Knex } from 'knex';
import { SCALE_HR, SCALE_INBOX_MANAGER, SCALE_PASSWORD } from '../server/demo/scale';
import { SELF_ASSESSMENT_CODE } from '../server/features/surveys/default-template';
import { answerKeysOf, pagesOf } from '../server/features/surveys/answers';
import { createTokenSeal } from '../server/features/surveys';
import { scalePoints, type TemplateDefinition } from '../server/features/surveys/template.schema';
import { parseJsonColumn } from '../server/platform/db/json';
import { createApplicationKeys } from '../server/platform/keys';
import { probeWaits } from './probe';
import { compareLoad, type BenchContext, type Row } from './scenarios';
import { signIn, visit, type Session } from './sessions';
import { compare, runInterleaved } from './stats';

// The survey scenarios make their own surveys, links and files at run time, so any generated database serves.

const DAY_MS = 86_400_000;
const day = (at: number) => new Date(at).toISOString().slice(0, 10);
/** Addresses a list audience may hold (MAX_LIST_ADDRESSES). */
const LIST_LIMIT = 5000;
/** The rows of the directory file imported by the fan-out scenario (MAX_IMPORT_ROWS). */
const IMPORT_ROWS = 20_000;
const IMPORTED_DOMAIN = 'bench-import.example';

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20 * 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A form POST as a signed-in browser sends it (multipart, with the session's CSRF token); returns the redirect's target. */
async function postForm(url: string, session: Session, fields: Record<string, string>, file?: { field: string; name: string; text: string }): Promise<string> {
  const form = new FormData();
  form.set('_csrf', session.csrf);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (file) form.set(file.field, new Blob([file.text], { type: 'text/csv' }), file.name);
  const res = await fetch(url, { method: 'POST', body: form, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) throw new Error(`POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return location;
}

/** A survey created by HR through the form, opening today; returns its id once every invitation is stored. */
async function createSurvey(ctx: BenchContext, hr: Session, audience: { audience: 'list'; addresses: string[] } | { audience: 'community' }): Promise<number> {
  const template = await ctx.knex('survey_templates').where({ code: SELF_ASSESSMENT_CODE }).first('id');
  const location = await postForm(`${ctx.app.url}/surveys`, hr, {
    title: `Benchmark survey ${new Date().toISOString()}`,
    templateId: String(template.id),
    audience: audience.audience,
    workingGroupId: '',
    addresses: audience.audience === 'list' ? audience.addresses.join('\n') : '',
    opensOn: day(Date.now()),
    closesOn: day(Date.now() + 21 * DAY_MS),
    reminderDays: '',
    minimumGroupSize: '5',
    repeatMonths: '',
  });
  const id = Number(/^\/surveys\/(\d+)$/.exec(location)?.[1]);
  if (!id) throw new Error(`creating a survey led to ${location}`);
  await invitationsSent(ctx.knex, id);
  return id;
}

/** Waits for a survey's invitation job to end (a job exists for every opening). */
async function invitationsSent(knex: Knex, surveyId: number): Promise<void> {
  const status = await until('the invitations', async () => {
    const job = await knex('background_jobs').where({ kind: 'survey-invitations', subject_type: 'survey', subject_id: surveyId }).first('status');
    return job && (job.status === 'done' || job.status === 'failed') ? String(job.status) : undefined;
  });
  if (status !== 'done') throw new Error(`the invitations of survey ${surveyId} ${status}`);
}

/** A complete, valid answer to every page of a definition, as the answering form posts it. */
function answerForm(definition: TemplateDefinition): Record<string, string> {
  const fields: Record<string, string> = { action: 'submit', page: '0' };
  for (const page of pagesOf(definition, [])) {
    for (const question of page.section.questions) {
      for (const key of answerKeysOf(page, question)) {
        if (question.type === 'text') fields[`a:${key}`] = 'Clear agendas; the calls across time zones were hard.';
        else if (question.type === 'single' || question.type === 'multiple') fields[`a:${key}`] = question.options[0]!.value;
        else fields[`a:${key}`] = String(scalePoints(question).at(-2));
      }
    }
  }
  return fields;
}

/**
 * Answers through single-use links at 50 connections, each connection a visitor with the session and
 * CSRF token the link's page gave them, each answer using a link of its own; against the bare
 * baseline's one INSERT of the same response row. The links are the real ones: invitations created
 * by opening a survey through HR's form, their tokens unsealed with the application's own key.
 */
export async function surveyAnswer(ctx: BenchContext): Promise<Row[]> {
  const hr = await signIn(ctx.app.url, SCALE_HR, SCALE_PASSWORD, '/surveys/new');
  const needed = ctx.rounds * ctx.submissions;
  const surveys: number[] = [];
  for (let made = 0, n = 0; made < needed; made += LIST_LIMIT, n++) {
    const addresses = Array.from({ length: Math.min(LIST_LIMIT, needed - made) }, (_, i) => `answer-${Date.now()}-${n}-${i}@bench.example`);
    surveys.push(await createSurvey(ctx, hr, { audience: 'list', addresses }));
  }
  // The baseline's rows go to a survey of their own, so the app's are counted alone.
  const baselineSurvey = await createSurvey(ctx, hr, { audience: 'list', addresses: ['baseline@bench.example'] });
  const seal = createTokenSeal(await createApplicationKeys({ secretKey: process.env.ACCOUNTABLE_SECRET_KEY || undefined, knex: ctx.knex, clock: { now: Date.now } })('survey-links'));
  const tokens = (await ctx.knex('survey_invitations').whereIn('survey_id', surveys).select('token_sealed')).map((r) => seal.open(String(r.token_sealed)));
  const version = await ctx.knex('surveys as s').join('survey_template_versions as v', 'v.id', 's.template_version_id').where('s.id', surveys[0]!).first('v.definition');
  const form = answerForm(parseJsonColumn<TemplateDefinition>(version.definition));
  const visitors: Session[] = [];
  for (let n = 0; n < 50; n++) visitors.push(await visit(ctx.app.url, `/s/${tokens[n]}`));

  let next = 0;
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const stored = async () => Number((await ctx.knex('survey_responses').whereIn('survey_id', surveys).count({ n: '*' }).first())!.n);
  let before = await stored();
  return compareLoad(
    ctx,
    'survey answer (50 connections)',
    50,
    {
      // Each request takes the next unused link; the session's token goes in the form, as the page's does.
      requests: [{ method: 'POST', path: () => `/s/${tokens[next++ % tokens.length]}`, headers: () => headers, body: () => new URLSearchParams(form).toString() }],
      sessions: visitors.map((v) => ({ cookie: v.cookie, 'x-csrf-token': v.csrf })),
      amount: ctx.submissions,
    },
    { requests: [{ method: 'POST', path: `/survey-response?survey=${baselineSurvey}`, headers: () => headers, body: () => new URLSearchParams(form).toString() }], amount: ctx.submissions * 10 },
    async (runs) => {
      // A used link answers with a redirect to the thank-you page.
      const answered = runs.reduce((sum, r) => sum + r.redirects, 0);
      const after = await stored();
      const responses = after - before;
      before = after;
      return `app: ${answered} answers redirected to the thank-you page, ${responses} responses stored${responses === answered ? ' (equal)' : ' (DIFFER)'}; other responses per run ${runs.map((r) => r.failed - r.redirects).join('/')}`;
    },
  );
}

/** A directory file of new people reporting to the inbox manager, as HR would upload it. */
function directoryCsv(run: string): string {
  const lines = ['email,name,title,department,manager_email,community_facing,executive'];
  for (let i = 0; i < IMPORT_ROWS; i++) lines.push(`imported.${run}.${i}@${IMPORTED_DOMAIN},Imported Person ${i},Coordinator,Bench Imports,${SCALE_INBOX_MANAGER},no,no`);
  return `${lines.join('\n')}\n`;
}

/** Runs `work` with a visitor asking /healthz back to back (a cheap page that reads the database); its duration and the visitor's longest wait. */
async function duringWork(url: string, work: () => Promise<void>): Promise<{ seconds: number; longestWait: number }> {
  const probe = probeWaits(`${url}/healthz`);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const waits = await probe.stop();
  return { seconds, longestWait: waits.longest };
}

/**
 * Fan-out through HTTP as HR does it: opening a survey for every community member (20,000 at
 * scale 1), and importing a directory file of 20,000 new people, each until the last row is written
 * (the invitation job, the import job), with a visitor's longest wait meanwhile. The baseline is the
 * bare server writing the same number of rows in one transaction of 500-row INSERTs, with the same
 * visitor asking the (idle) app meanwhile: what one batched statement stream costs, and what a
 * visitor waits while the database takes it.
 */
export async function fanout(ctx: BenchContext): Promise<Row[]> {
  const hr = await signIn(ctx.app.url, SCALE_HR, SCALE_PASSWORD, '/surveys/new');
  const members = Number((await ctx.knex('accounts as a').join('account_roles as r', 'r.account_id', 'a.id').where('r.role', 'member').whereNotNull('a.email_verified_at').count({ n: '*' }).first())!.n);
  const forgetImported = () => ctx.knex('staff_members').where('email', 'like', `%@${IMPORTED_DOMAIN}`).delete();
  const baselineWrite = async (path: string) => {
    const res = await fetch(`${ctx.baseline.url}${path}`, { method: 'POST' });
    if (!res.ok) throw new Error(`baseline ${path} answered ${res.status}`);
  };
  const rows: Row[] = [];
  let lastSurvey = 0;

  const opening = await runInterleaved(ctx.rounds, {
    scenario: async () => {
      const figures = await duringWork(ctx.app.url, async () => {
        lastSurvey = await createSurvey(ctx, hr, { audience: 'community' });
      });
      // Closed again, so its invitees are erased and the next run meets the same database.
      await postForm(`${ctx.app.url}/surveys/${lastSurvey}/close`, hr, {});
      return figures;
    },
    baseline: async () => {
      const figures = await duringWork(ctx.app.url, () => baselineWrite(`/fanout/invitations?survey=${lastSurvey}&rows=${members}`));
      await ctx.knex('survey_invitations').where({ survey_id: lastSurvey }).andWhere('email', 'like', '%@baseline.invalid').delete();
      return figures;
    },
  });
  rows.push(...compare(opening).map((c) => ({ ...c, name: 'fan-out: open a survey for every member', unit: c.figure === 'seconds' ? 's' : 'ms', note: `${members} members; until every invitation and its e-mail is stored; baseline: the bare server inserting as many invitation rows in one transaction of 500-row INSERTs, the visitor asking the idle app meanwhile` })));

  const importing = await runInterleaved(ctx.rounds, {
    scenario: async () => {
      const csv = directoryCsv(String(Date.now()));
      const figures = await duringWork(ctx.app.url, async () => {
        const location = await postForm(`${ctx.app.url}/directory/import`, hr, {}, { field: 'file', name: 'directory.csv', text: csv });
        const publicId = /^\/jobs\/([A-Za-z0-9_-]+)$/.exec(location)?.[1];
        if (!publicId) throw new Error(`the import led to ${location}`);
        const status = await until('the import', async () => {
          const job = await ctx.knex('background_jobs').where({ public_id: publicId }).first('status');
          return job.status === 'done' || job.status === 'failed' ? String(job.status) : undefined;
        });
        if (status !== 'done') throw new Error(`the import ${status}`);
      });
      await forgetImported();
      return figures;
    },
    baseline: async () => {
      const figures = await duringWork(ctx.app.url, () => baselineWrite(`/fanout/staff?rows=${IMPORT_ROWS}&domain=${IMPORTED_DOMAIN}`));
      await forgetImported();
      return figures;
    },
  });
  rows.push(...compare(importing).map((c) => ({ ...c, name: `fan-out: import ${IMPORT_ROWS} directory rows`, unit: c.figure === 'seconds' ? 's' : 'ms', note: 'from the upload until the import job has written every row; baseline: the bare server inserting as many staff rows in one transaction of 500-row INSERTs, the visitor asking the idle app meanwhile' })));
  return rows;
}
