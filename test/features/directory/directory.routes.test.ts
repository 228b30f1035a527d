import { agentFor, csrfToken, postForm, signIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';

const HEADER = 'email,name,title,department,manager_email,community_facing,executive';

describe('the directory', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  let hr: Agent;

  beforeAll(async () => {
    const account = await factories(knex()).account({ roles: ['hr'] });
    hr = agentFor(context.app);
    await signIn(hr, account.email, account.password);
  });

  const staffRows = () => knex()('staff_members').select('email', 'name', 'title', 'manager_id', 'department_id').orderBy('email');
  const upload = async (csv: string) => {
    const token = await csrfToken(hr, '/directory/import');
    return hr.post('/directory/import').field('_csrf', token).attach('file', Buffer.from(csv, 'utf8'), { filename: 'staff.csv', contentType: 'text/csv' });
  };

  it('when a CSV is imported, then staff are created and later updated by e-mail, with departments and managers', async () => {
    const first = await upload([HEADER, 'chief@org.test,Chief One,CEO,Executive Office,,yes,yes', 'deputy@org.test,Deputy Two,Director,Policy,chief@org.test,yes,no'].join('\n'));
    expect(first.status).toBe(200);
    expect(first.text).toContain('Import complete: 2 added, 0 updated, 2 new departments.');

    const second = await upload([HEADER, 'deputy@org.test,Deputy Renamed,Senior Director,Policy,chief@org.test,yes,no', 'analyst@org.test,Analyst Three,Analyst,Policy,deputy@org.test,yes,no'].join('\n'));
    expect(second.text).toContain('Import complete: 1 added, 1 updated, 0 new departments.');
    const rows = await staffRows();
    expect(rows.map((r) => r.email)).toEqual(['analyst@org.test', 'chief@org.test', 'deputy@org.test']);
    const byEmail = Object.fromEntries(rows.map((r) => [r.email, r]));
    expect(byEmail['deputy@org.test']).toMatchObject({ name: 'Deputy Renamed', title: 'Senior Director' });
    expect(Number(byEmail['analyst@org.test'].manager_id)).toBe(Number((await knex()('staff_members').where({ email: 'deputy@org.test' }).first()).id));
    const audit = await knex()('audit_events').where({ action: 'directory.import' });
    expect(audit).toHaveLength(2);
  });

  it('when a CSV has bad lines, then nothing changes and each line and column is reported', async () => {
    const before = await staffRows();
    const departmentsBefore = await knex()('departments').count({ n: '*' }).first();
    const res = await upload(
      [
        HEADER,
        'newperson@org.test,New Person,Analyst,Brand New Department,,yes,no',
        'chief@org.test,Chief Renamed,CEO,Executive Office,,yes,yes',
        'broken-email,Somebody,,,,,',
        'nobody@org.test,,,,,,',
        'lost@org.test,Lost,,,ghost@org.test,,',
      ].join('\n'),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Nothing was imported: 3 problems were found.');
    const table = res.text.slice(res.text.indexOf('data-testid="import-problems"'));
    expect(table).toMatch(/<td>4<\/td><td>email<\/td><td>Enter an e-mail address like name@example.org.<\/td>/);
    expect(table).toMatch(/<td>5<\/td><td>name<\/td><td>Enter a name.<\/td>/);
    expect(table).toMatch(/<td>6<\/td><td>manager_email<\/td><td>No staff member has this e-mail address/);
    expect(await staffRows()).toEqual(before);
    expect(await knex()('departments').count({ n: '*' }).first()).toEqual(departmentsBefore);
  });

  it('when a CSV would make a loop in the management chain, then it is refused and nothing changes', async () => {
    const before = await staffRows();
    const res = await upload([HEADER, 'chief@org.test,Chief One,CEO,Executive Office,analyst@org.test,yes,yes'].join('\n'));
    expect(res.status).toBe(422);
    expect(res.text).toContain('This would make a loop in the management chain');
    expect(await staffRows()).toEqual(before);
  });

  it('when no file is chosen, then the form says so', async () => {
    const token = await csrfToken(hr, '/directory/import');
    const res = await hr.post('/directory/import').field('_csrf', token);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose a CSV file to import.');
  });

  it('when a staff member is edited with a bad or looping manager, then the form keeps what was typed and names the field', async () => {
    const chief = await knex()('staff_members').where({ email: 'chief@org.test' }).first();
    const path = `/directory/staff/${chief.id}`;
    const looping = await postForm(hr, `${path}/edit`, path, { name: 'Chief Typed', email: 'chief@org.test', title: 'CEO', department: 'Executive Office', managerEmail: 'analyst@org.test', isExecutive: 'yes' });
    expect(looping.status).toBe(422);
    expect(looping.text).toContain('value="Chief Typed"');
    expect(looping.text).toContain('This would make a loop in the management chain');
    const invalid = await postForm(hr, `${path}/edit`, path, { name: '', email: 'chief@org.test', managerEmail: 'not an email' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Enter a name.');
    expect(invalid.text).toContain("Enter the people manager&#x27;s e-mail address, or leave it empty.");
    expect((await knex()('staff_members').where({ id: chief.id }).first()).name).toBe('Chief One');

    const ok = await postForm(hr, `${path}/edit`, path, { name: 'Chief Edited', email: 'chief@org.test', title: 'CEO', department: 'Executive Office', managerEmail: '', isExecutive: 'yes' });
    expect(ok.status).toBe(303);
    const page = await hr.get(path).expect(200);
    expect(page.text).toContain('Chief Edited');
    expect(page.text).toContain('Changes saved.');
  });

  it('when staff are added by hand, then a taken e-mail is refused and a new one is created', async () => {
    const taken = await postForm(hr, '/directory/staff/new', '/directory/staff', { name: 'Copy', email: 'chief@org.test' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('Another staff member already has this e-mail address.');
    const created = await postForm(hr, '/directory/staff/new', '/directory/staff', { name: 'Hand Made', email: 'hand@org.test', department: 'Hand Department', managerEmail: 'chief@org.test' });
    expect(created.status).toBe(303);
    expect((await hr.get(created.headers.location!)).text).toContain('Hand Department');
  });

  it('when searching, then matches come by name, e-mail or title, filtered by department and paginated', async () => {
    const f = factories(knex());
    const dept = await f.department('Paging Department');
    for (let i = 0; i < 30; i++) await f.staff({ name: `Pager ${String(i).padStart(2, '0')}`, departmentId: dept.id });
    const page1 = await hr.get('/directory').query({ q: 'pager', department: dept.id }).expect(200);
    expect(page1.text).toContain('Page 1 of 2 (30 in all)');
    expect(page1.text).toContain('Pager 00');
    expect(page1.text).not.toContain('Pager 25');
    expect(page1.text).toContain('rel="next"');
    const page2 = await hr.get('/directory').query({ q: 'pager', department: dept.id, page: 2 }).expect(200);
    expect(page2.text).toContain('Pager 25');
    const none = await hr.get('/directory').query({ q: 'zzz_no_such%' }).expect(200);
    expect(none.text).toContain('No staff member matches your search.');
    const byTitle = await hr.get('/directory').query({ q: 'senior director' }).expect(200);
    expect(byTitle.text).toContain('Deputy Renamed');
  });

  it('when a department is added or renamed, then duplicates are refused', async () => {
    const dup = await postForm(hr, '/directory/departments', '/directory/departments', { name: 'policy' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('A department with this name already exists.');
    const added = await postForm(hr, '/directory/departments', '/directory/departments', { name: 'Ombuds Liaison' });
    expect(added.status).toBe(303);
    const dept = await knex()('departments').where({ name: 'Ombuds Liaison' }).first();
    const renamed = await postForm(hr, '/directory/departments', `/directory/departments/${dept.id}`, { name: 'Ombuds Office' });
    expect(renamed.status).toBe(303);
    expect((await hr.get('/directory/departments')).text).toContain('Ombuds Office');
  });

  it('when a staff member who is not HR tries to edit, then it is forbidden; reading is allowed', async () => {
    const f = factories(knex());
    const person = await f.staffAccount();
    const staff = agentFor(context.app);
    await signIn(staff, person.email, person.password);
    await staff.get('/directory').expect(200);
    await staff.get('/directory/staff/new').expect(403);
    const res = await postForm(staff, '/directory', '/directory/staff', { name: 'Sneaky', email: 'sneaky@org.test' });
    expect(res.status).toBe(403);
    expect(await knex()('staff_members').where({ email: 'sneaky@org.test' }).first()).toBeUndefined();
  });
});
