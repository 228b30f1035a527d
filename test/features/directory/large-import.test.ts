import { csrfToken, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { factories } from '../../factories';
import { JOB_BATCH_SIZE } from '../../../server/platform/jobs';
import { statementsOf } from '../../helpers/queries';
import type { Actor } from '../../../server/platform/auth/roles';

const HEADER = 'email,name,title,department,manager_email,community_facing,executive';
const PEOPLE = 2000;
const email = (i: number) => `person${i}@org.test`;
// A tree five wide: person i reports to person floor((i - 1) / 5); person 0 heads it.
const managerOf = (i: number) => (i === 0 ? null : Math.floor((i - 1) / 5));

/** The file lists reports before their managers, so writing it in file order would not work. */
function largeCsv(): string {
  const lines = [];
  for (let i = PEOPLE - 1; i >= 0; i--) lines.push(`${email(i)},Person ${i},Title ${i % 7},Department ${i % 12},${managerOf(i) === null ? '' : email(managerOf(i)!)},yes,${i === 0 ? 'yes' : 'no'}`);
  return [HEADER, ...lines].join('\n');
}

const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);

describe(`a large directory import runs as a background job (${testDialect})`, () => {
  // Thousands of rows through a real database, twice over.
  jest.setTimeout(120_000);
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  let hr: Agent;
  let hrActor: Actor;

  beforeAll(async () => {
    const account = await factories(knex()).account({ roles: ['hr'] });
    hr = await signedIn(context.app, account);
    hrActor = { accountId: account.id, email: account.email, displayName: 'HR', staffMemberId: null, roles: ['hr'], locale: 'en' };
  });

  const upload = async (csv: string) => {
    const token = await csrfToken(hr, '/directory/import');
    return hr.post('/directory/import').field('_csrf', token).attach('file', Buffer.from(csv, 'utf8'), { filename: 'staff.csv', contentType: 'text/csv' });
  };
  const staffCount = async () => Number((await knex()('staff_members').count({ n: '*' }).first())!.n);
  /** The directory as the import leaves it, by e-mail. */
  const directory = async () =>
    (
      await knex()('staff_members as s')
        .leftJoin('staff_members as m', 'm.id', 's.manager_id')
        .leftJoin('departments as d', 'd.id', 's.department_id')
        .select('s.email', 's.name', 's.title', 'd.name as department', 'm.email as manager')
    )
      .map((r) => ({ email: String(r.email), name: r.name, title: r.title, department: r.department, manager: r.manager ?? null }))
      .sort(byEmail);

  it('when thousands of rows are imported, then they are written a batch at a time with progress, other requests are served between batches, and the directory ends as the file says', async () => {
    const res = await upload(largeCsv());
    expect(res.status).toBe(303);
    const jobPath = String(res.headers.location);
    expect(jobPath).toMatch(/^\/jobs\/[A-Za-z0-9_-]{22}$/);
    expect(await staffCount()).toBe(0);
    // The rows wait a batch to a row of their own; the job's row, which each batch updates, holds none.
    const batches = Math.ceil(PEOPLE / JOB_BATCH_SIZE);
    expect(Number((await knex()('background_job_items').count({ n: '*' }).first())!.n)).toBe(batches);
    expect(String((await knex()('background_jobs').select('payload').first()).payload)).not.toContain('@');

    const waiting = await hr.get(jobPath).expect(200);
    expect(waiting.text).toContain('Waiting to start');
    expect(waiting.text).toContain(`0 of ${PEOPLE} done.`);
    expect(waiting.text).toContain('/public/js/progress.js');

    const progress: number[] = [];
    for (let steps = 0; steps < 20; steps++) {
      const { result: ran, statements } = await statementsOf(knex(), () => context.app.services.jobs.runOnce({ maxSteps: 1 }));
      expect(ran).toBe(1);
      // A batch reads its own rows only, and its progress update leaves the job's input alone.
      expect(statements.filter((q) => /^select .*background_job_items/i.test(q))).toHaveLength(1);
      expect(statements.filter((q) => /^update .*background_jobs/i.test(q) && /payload/.test(q) && !/status/.test(q))).toHaveLength(0);
      const json = await hr.get(`${jobPath}.json`).expect(200);
      progress.push(json.body.done);
      // Between two batches nothing holds the database: another request writes and reads at once.
      expect(await staffCount()).toBe(json.body.done);
      const department = await hr.post('/directory/departments').type('form').send({ _csrf: await csrfToken(hr, '/directory/departments'), name: `Between batches ${steps}` });
      expect(department.status).toBe(303);
      if (json.body.status === 'done') break;
    }
    expect(progress).toEqual(Array.from({ length: batches }, (_, n) => Math.min(PEOPLE, (n + 1) * JOB_BATCH_SIZE)));
    expect(await context.app.services.jobs.runOnce()).toBe(0);

    const done = await hr.get(jobPath).expect(200);
    expect(done.text).toContain(`Import complete: ${PEOPLE} added, 0 updated, 12 new departments.`);
    const expected = Array.from({ length: PEOPLE }, (_, i) => ({ email: email(i), name: `Person ${i}`, title: `Title ${i % 7}`, department: `Department ${i % 12}`, manager: managerOf(i) === null ? null : email(managerOf(i)!) })).sort(byEmail);
    expect(await directory()).toEqual(expected);
    const audit = await knex()('audit_events').select('detail').where({ action: 'directory.import' });
    expect(audit.map((a) => (typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail))).toEqual([{ rows: PEOPLE, created: PEOPLE, updated: 0, departmentsCreated: 12 }]);
    // The rows are erased with the finished job.
    expect((await knex()('background_jobs').select('payload').first()).payload).toBeNull();
    expect(Number((await knex()('background_job_items').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when the same file is imported again, then nothing is added twice and the directory is unchanged', async () => {
    const before = await directory();
    const res = await upload(largeCsv());
    await context.app.services.jobs.runOnce();
    expect((await hr.get(String(res.headers.location))).text).toContain(`Import complete: 0 added, ${PEOPLE} updated, 0 new departments.`);
    expect(await directory()).toEqual(before);
  });

  it('when a batch only adds people, then it looks up only them and their managers and writes them together; a batch that changes people reads and checks the whole chain again', async () => {
    const wholeChain = (sql: string) => sql === 'select `id`, `email`, `manager_id` from `staff_members`';
    // One batch each, written before the answer; the check of the file reads the whole chain once.
    const newcomers = Array.from({ length: JOB_BATCH_SIZE }, (_, i) => `newcomer${i}@org.test,Newcomer ${i},,,${email(i % 10)},yes,no`);
    const adding = await statementsOf(knex(), () => upload([HEADER, ...newcomers].join('\n')));
    expect(adding.statements.filter(wholeChain)).toHaveLength(1);
    // The batch's people and their managers, then the new people's ids.
    expect(adding.statements.filter((sql) => sql.startsWith('select `id`, `email` from `staff_members` where `email` in'))).toHaveLength(2);
    // Written together, in multi-row INSERTs (before issue 13: one INSERT a person).
    expect(adding.statements.filter((sql) => sql.startsWith('insert into `staff_members`'))).toHaveLength(Math.ceil(JOB_BATCH_SIZE / 100));
    const moved = newcomers.map((line) => line.replace(/,[^,]+,yes,no$/, `,${email(1)},yes,no`));
    const changing = await statementsOf(knex(), () => upload([HEADER, ...moved].join('\n')));
    expect(changing.statements.filter(wholeChain)).toHaveLength(2);
    const rows = await directory();
    expect(rows.filter((r) => r.email.startsWith('newcomer')).map((r) => r.manager)).toEqual(Array(JOB_BATCH_SIZE).fill(email(1)));
  });

  it('when the job is not the reader’s own, then its page does not exist for them', async () => {
    const job = await knex()('background_jobs').select('public_id').first();
    const other = await signedIn(context.app, await factories(knex()).account({ roles: ['hr'] }));
    await other.get(`/jobs/${job.public_id}`).expect(404);
    await other.get(`/jobs/${job.public_id}.json`).expect(404);
  });

  it('when an edit made during the import would close a loop with a later batch, then the job stops with a clear status, keeping the batches written before', async () => {
    const directoryService = context.app.services.directory;
    const outsider = { email: 'outsider@org.test', name: 'Outsider', title: '', department: '', communityFacing: true, isExecutive: false };
    await directoryService.createStaff(hrActor, { ...outsider, managerEmail: '' });
    // The file puts the outsider under the deepest person of the tree: written in the last batch.
    const res = await upload(`${largeCsv()}\noutsider@org.test,Outsider,,,${email(PEOPLE - 1)},yes,no`);
    await context.app.services.jobs.runOnce({ maxSteps: 1 });
    // Meanwhile HR puts the head of the tree under the outsider, which is fine on its own.
    await directoryService.updateStaff(hrActor, (await directoryService.findStaffByEmail(email(0)))!.id, { email: email(0), name: 'Person 0', title: 'Title 0', department: 'Department 0', managerEmail: outsider.email, communityFacing: true, isExecutive: true });
    await context.app.services.jobs.runOnce();

    const page = await hr.get(String(res.headers.location)).expect(200);
    expect(page.text).toContain('Stopped');
    expect(page.text).toContain('This would make a loop in the management chain');
    expect(page.text).toContain(`The first ${PEOPLE} of ${PEOPLE + 1} lines were written`);
    // The refused batch left nothing: the outsider still has no manager, so there is no loop.
    const rows = await directory();
    expect(rows.find((r) => r.email === outsider.email)!.manager).toBeNull();
    expect(rows.find((r) => r.email === email(0))!.manager).toBe(outsider.email);
    // A stopped job's rows are erased as a finished one's are.
    expect(Number((await knex()('background_job_items').count({ n: '*' }).first())!.n)).toBe(0);
  });
});
