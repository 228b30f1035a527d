import { csrfToken, postForm, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';

describe('working groups', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  const service = () => context.app.services.workingGroups;
  let hr: Agent;
  let hrAccountId: number;

  beforeAll(async () => {
    const account = await factories(knex()).account({ roles: ['hr'] });
    hrAccountId = account.id;
    hr = await signedIn(context.app, account);
  });

  const auditActions = async (groupId: number) =>
    (await knex()('audit_events').select('action', 'actor_account_id', 'detail').where({ subject_type: 'working_group', subject_id: String(groupId) }).orderBy('id')).map((r) => ({
      action: r.action,
      actor: Number(r.actor_account_id),
      detail: r.detail == null ? null : JSON.parse(r.detail),
    }));

  const template = async (name: string, archived = false) => {
    const [id] = await knex()('survey_templates').insert({ name, description: '', archived, created_at: Date.now() });
    return Number(id);
  };

  const memberRows = async (groupId: number) =>
    (await knex()('working_group_members').select('email', 'display_name', 'role', 'account_id').where({ working_group_id: groupId }).orderBy('email')).map((r) => ({
      email: r.email,
      name: r.display_name,
      role: r.role,
      accountId: r.account_id == null ? null : Number(r.account_id),
    }));

  const upload = async (groupId: number, csv: string) => {
    const path = `/working-groups/${groupId}/members/import`;
    const token = await csrfToken(hr, path);
    return hr.post(path).field('_csrf', token).attach('file', Buffer.from(csv, 'utf8'), { filename: 'members.csv', contentType: 'text/csv' });
  };

  it('when there are no groups yet, then the list says so and offers to add one', async () => {
    const res = await hr.get('/working-groups').expect(200);
    expect(res.text).toContain('There are no working groups yet.');
    expect(res.text).toContain('href="/working-groups/new"');
    expect(res.text).toContain('<a href="/working-groups">Working groups</a>');
  });

  it('when a group is created with mistakes, then each field is named and the rest of what was typed is kept; once corrected it is created and audited', async () => {
    const templateId = await template('Working Group Self-Assessment');
    await template('Retired questionnaire', true);
    const form = await hr.get('/working-groups/new').expect(200);
    expect(form.text).toContain('a survey of the group&#x27;s members opens automatically on the initial report date and again on the closure date');
    expect(form.text).toContain('Working Group Self-Assessment');
    expect(form.text).not.toContain('Retired questionnaire');
    expect(form.text).toContain('value="21"');

    const typed = {
      name: '',
      type: 'epdp',
      charteringOrganisation: 'GNSO',
      description: 'Temporary specification for gTLD registration data',
      startedOn: '2026-02-30',
      initialReportOn: '2026-13-01',
      finalReportOn: '',
      closedOn: '2027-01-15',
      assessmentTemplateId: String(templateId),
      assessmentDays: '120',
    };
    const invalid = await postForm(hr, '/working-groups/new', '/working-groups', typed);
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain("Enter the working group&#x27;s name.");
    expect(invalid.text).toContain('Enter the start date as YYYY-MM-DD');
    expect(invalid.text).toContain('Enter the initial report date as YYYY-MM-DD');
    expect(invalid.text).toContain('Enter a whole number of days from 1 to 90.');
    expect(invalid.text).toContain('Temporary specification for gTLD registration data');
    expect(invalid.text).toContain('value="2027-01-15"');
    expect(invalid.text).toMatch(/<option value="epdp" selected>EPDP<\/option>/);
    expect(invalid.text).toMatch(new RegExp(`<option value="${templateId}" selected>Working Group Self-Assessment</option>`));

    const backwards = await postForm(hr, '/working-groups/new', '/working-groups', { ...typed, name: 'EPDP on Registration Data', startedOn: '2027-02-01', initialReportOn: '', assessmentDays: '30' });
    expect(backwards.status).toBe(422);
    expect(backwards.text).toContain('The closure date cannot be before the start date.');
    expect(backwards.text).toContain('value="EPDP on Registration Data"');

    const created = await postForm(hr, '/working-groups/new', '/working-groups', { ...typed, name: 'EPDP on Registration Data', startedOn: '2026-01-10', initialReportOn: '2026-06-01', assessmentDays: '' });
    expect(created.status).toBe(303);
    const id = Number(String(created.headers.location).split('/').pop());
    const page = await hr.get(`/working-groups/${id}`).expect(200);
    expect(page.text).toContain('Working group added.');
    expect(page.text).toContain('EPDP on Registration Data');
    expect(page.text).toContain('Working Group Self-Assessment, open for 21 days');
    expect(page.text).toContain('2026-06-01');
    expect(await service().findGroup(id)).toMatchObject({ type: 'epdp', startedOn: '2026-01-10', finalReportOn: null, closedOn: '2027-01-15', assessmentTemplateId: templateId, assessmentDays: 21 });
    expect(await auditActions(id)).toEqual([{ action: 'working_group.create', actor: hrAccountId, detail: null }]);
  });

  it('when a group is edited, then the changes are saved and audited, and a closure before the start is refused with what was typed kept', async () => {
    const group = await factories(knex()).workingGroup({ name: 'Review of the Registry Agreement', type: 'review_team', startedOn: '2026-03-01' });
    const edit = await hr.get(`/working-groups/${group.id}/edit`).expect(200);
    expect(edit.text).toContain('value="Review of the Registry Agreement"');
    expect(edit.text).toMatch(/<option value="review_team" selected>Review team<\/option>/);

    const fields = { name: 'Registry Agreement Review', type: 'ccwg', charteringOrganisation: 'ccNSO', description: '', startedOn: '2026-03-01', initialReportOn: '', finalReportOn: '2026-12-01', closedOn: '2026-02-01', assessmentTemplateId: '', assessmentDays: '14' };
    const refused = await postForm(hr, `/working-groups/${group.id}/edit`, `/working-groups/${group.id}`, fields);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('The closure date cannot be before the start date.');
    expect(refused.text).toContain('value="Registry Agreement Review"');
    expect(refused.text).toContain('value="ccNSO"');
    expect((await service().findGroup(group.id))?.name).toBe('Review of the Registry Agreement');

    const saved = await postForm(hr, `/working-groups/${group.id}/edit`, `/working-groups/${group.id}`, { ...fields, closedOn: '2027-01-31' });
    expect(saved.status).toBe(303);
    expect(await service().findGroup(group.id)).toMatchObject({ name: 'Registry Agreement Review', type: 'ccwg', charteringOrganisation: 'ccNSO', closedOn: '2027-01-31', assessmentDays: 14 });
    const page = await hr.get(`/working-groups/${group.id}`).expect(200);
    expect(page.text).toContain('Cross-community working group');
    expect(page.text).toContain('No automatic assessment');
    expect((await auditActions(group.id)).map((a) => a.action)).toEqual(['working_group.update']);
  });

  it('when members are added and removed, then the table and the leadership follow, a known account is linked, and each change is audited without personal data', async () => {
    const f = factories(knex());
    const group = await f.workingGroup();
    const account = await f.account({ email: 'chair@community.test', roles: ['member'] });
    await f.account({ email: 'unverified@community.test', verified: false });
    const path = `/working-groups/${group.id}`;

    expect((await hr.get(path)).text).toContain('No chair, vice-chair or council liaison yet.');
    expect((await postForm(hr, path, `${path}/members`, { email: 'Chair@Community.test', displayName: 'Carla Chair', role: 'chair' })).status).toBe(303);
    await postForm(hr, path, `${path}/members`, { email: 'liaison@community.test', displayName: 'Lee Liaison', role: 'council_liaison' });
    await postForm(hr, path, `${path}/members`, { email: 'unverified@community.test', displayName: 'Una Member', role: '' });

    const invalid = await postForm(hr, path, `${path}/members`, { email: 'not-an-address', displayName: 'Kept Name', role: 'vice_chair' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Enter an e-mail address like name@example.org.');
    expect(invalid.text).toContain('value="Kept Name"');
    expect(invalid.text).toMatch(/<option value="vice_chair" selected>Vice-chair<\/option>/);
    const duplicate = await postForm(hr, path, `${path}/members`, { email: 'chair@community.test', displayName: 'Again', role: 'member' });
    expect(duplicate.status).toBe(422);
    expect(duplicate.text).toContain('Someone with this e-mail address is already a member of this group.');

    expect(await memberRows(group.id)).toEqual([
      { email: 'chair@community.test', name: 'Carla Chair', role: 'chair', accountId: account.id },
      { email: 'liaison@community.test', name: 'Lee Liaison', role: 'council_liaison', accountId: null },
      { email: 'unverified@community.test', name: 'Una Member', role: 'member', accountId: null },
    ]);
    const page = await hr.get(path).expect(200);
    const leadership = page.text.slice(page.text.indexOf('data-testid="leadership"'), page.text.indexOf('id="members"'));
    expect(leadership).toContain('Carla Chair — Chair');
    expect(leadership).toContain('Lee Liaison — Council liaison');
    expect(leadership).not.toContain('Una Member');
    const table = page.text.slice(page.text.indexOf('data-testid="members"'));
    expect(table).toMatch(/<td>unverified@community.test<\/td>\s*<td>Member<\/td>/);

    const members = await service().members(group.id);
    expect(members.map((m) => [m.email, m.role, m.accountId])).toEqual([
      ['chair@community.test', 'chair', account.id],
      ['liaison@community.test', 'council_liaison', null],
      ['unverified@community.test', 'member', null],
    ]);
    const liaison = members.find((m) => m.role === 'council_liaison')!;
    expect((await postForm(hr, path, `${path}/members/${liaison.id}/delete`, {})).status).toBe(303);
    expect((await service().members(group.id)).map((m) => m.email)).toEqual(['chair@community.test', 'unverified@community.test']);
    expect((await postForm(hr, path, `${path}/members/${liaison.id}/delete`, {})).status).toBe(404);

    const audit = await auditActions(group.id);
    expect(audit.map((a) => a.action)).toEqual(['working_group.member.add', 'working_group.member.add', 'working_group.member.add', 'working_group.member.remove']);
    expect(JSON.stringify(audit)).not.toMatch(/community\.test|Carla|Lee|Una/);
  });

  it('when support staff are assigned from the directory, then they are listed with their role, can be changed and removed, and the service reports them', async () => {
    const f = factories(knex());
    const group = await f.workingGroup({ name: 'Transfer Policy Review' });
    const analyst = await f.staff({ name: 'Aaron Analyst' });
    const secretariat = await f.staff({ name: 'Sara Secretariat' });
    const path = `/working-groups/${group.id}`;

    const page = await hr.get(path).expect(200);
    expect(page.text).toContain(`<option value="${analyst.id}" >Aaron Analyst — Policy Analyst</option>`);

    const none = await postForm(hr, path, `${path}/staff`, { staffMemberId: '', staffRole: 'Kept role' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose a staff member from the directory.');
    expect(none.text).toContain('value="Kept role"');
    expect((await postForm(hr, path, `${path}/staff`, { staffMemberId: '999999', staffRole: '' })).status).toBe(422);

    await postForm(hr, path, `${path}/staff`, { staffMemberId: String(secretariat.id), staffRole: 'Secretariat' });
    await postForm(hr, path, `${path}/staff`, { staffMemberId: String(analyst.id), staffRole: 'Support' });
    await postForm(hr, path, `${path}/staff`, { staffMemberId: String(analyst.id), staffRole: 'Policy support' });
    expect(await service().supportStaff(group.id)).toEqual([
      { staffMemberId: analyst.id, name: 'Aaron Analyst', role: 'Policy support' },
      { staffMemberId: secretariat.id, name: 'Sara Secretariat', role: 'Secretariat' },
    ]);
    const shown = (await hr.get(path)).text;
    expect(shown.slice(shown.indexOf('data-testid="support-staff"'))).toMatch(/Aaron Analyst<\/a><\/td>\s*<td>Policy support<\/td>/);
    expect((await service().groupsSupportedBy(analyst.id)).map((g) => [g.group.name, g.role])).toEqual([['Transfer Policy Review', 'Policy support']]);

    expect((await postForm(hr, path, `${path}/staff/${secretariat.id}/delete`, {})).status).toBe(303);
    expect((await service().supportStaff(group.id)).map((s) => s.name)).toEqual(['Aaron Analyst']);
    expect((await auditActions(group.id)).map((a) => a.action)).toEqual(['working_group.staff.assign', 'working_group.staff.assign', 'working_group.staff.update', 'working_group.staff.remove']);
  });

  it('when members are imported from a CSV, then each line is reported, bad lines are left out whole, accounts are linked, and importing again changes nothing', async () => {
    const f = factories(knex());
    const group = await f.workingGroup();
    const account = await f.account({ email: 'vice@community.test' });
    await postForm(hr, `/working-groups/${group.id}`, `/working-groups/${group.id}/members`, { email: 'existing@community.test', displayName: 'Existing Person', role: 'chair' });
    const csv = [
      'email,name,role',
      'new@community.test,New Person,',
      'VICE@community.test,"Vic, Vice",Vice chair',
      'existing@community.test,,',
      'broken-address,Broken,member',
      'odd@community.test,Odd Role,president',
      'new@community.test,Twice,member',
    ].join('\r\n');

    const first = await upload(group.id, csv);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Import complete: 2 added, 0 updated, 1 unchanged, 3 with problems (not imported).');
    const report = first.text.slice(first.text.indexOf('data-testid="import-report"'));
    expect(report).toMatch(/<tr data-status="added"><td>2<\/td><td>new@community.test<\/td><td>Added<\/td>/);
    expect(report).toMatch(/<tr data-status="added"><td>3<\/td><td>vice@community.test<\/td>/);
    expect(report).toMatch(/<tr data-status="unchanged"><td>4<\/td>/);
    expect(report).toMatch(/<tr data-status="error"><td>5<\/td><td>broken-address<\/td><td>Not imported<\/td><td>email<\/td><td>Enter an e-mail address like name@example.org.<\/td>/);
    expect(report).toMatch(/<tr data-status="error"><td>6<\/td><td>odd@community.test<\/td><td>Not imported<\/td><td>role<\/td><td>Use one of the roles member, chair, vice_chair or council_liaison.<\/td>/);
    expect(report).toMatch(/<tr data-status="error"><td>7<\/td><td>new@community.test<\/td><td>Not imported<\/td><td>email<\/td><td>This e-mail address is already used on line 2.<\/td>/);

    const afterFirst = await memberRows(group.id);
    expect(afterFirst).toEqual([
      { email: 'existing@community.test', name: 'Existing Person', role: 'chair', accountId: null },
      { email: 'new@community.test', name: 'New Person', role: 'member', accountId: null },
      { email: 'vice@community.test', name: 'Vic, Vice', role: 'vice_chair', accountId: account.id },
    ]);

    const again = await upload(group.id, csv);
    expect(again.text).toContain('Import complete: 0 added, 0 updated, 3 unchanged, 3 with problems (not imported).');
    expect(await memberRows(group.id)).toEqual(afterFirst);

    // An account made after the first import is linked by the next one; a role in the file replaces the old one.
    const late = await f.account({ email: 'new@community.test' });
    const third = await upload(group.id, 'email,name,role\nnew@community.test,New Person,member\nexisting@community.test,Existing Person,member\n');
    expect(third.text).toContain('Import complete: 0 added, 2 updated, 0 unchanged, 0 with problems (not imported).');
    expect((await memberRows(group.id)).map((m) => [m.email, m.role, m.accountId])).toEqual([
      ['existing@community.test', 'member', null],
      ['new@community.test', 'member', late.id],
      ['vice@community.test', 'vice_chair', account.id],
    ]);

    const audit = (await auditActions(group.id)).filter((a) => a.action === 'working_group.members.import');
    expect(audit.map((a) => a.detail)).toEqual([
      { rows: 6, added: 2, updated: 0, unchanged: 1, errors: 3 },
      { rows: 6, added: 0, updated: 0, unchanged: 3, errors: 3 },
      { rows: 2, added: 0, updated: 2, unchanged: 0, errors: 0 },
    ]);
  });

  it('when the file cannot be used at all, then nothing changes and the form says why', async () => {
    const group = await factories(knex()).workingGroup();
    const wrongHeader = await upload(group.id, 'address,fullname\nx@community.test,X\n');
    expect(wrongHeader.status).toBe(422);
    expect(wrongHeader.text).toContain('Nothing was imported: 3 problems were found with the file.');
    expect(wrongHeader.text).toContain('This required column is missing from the first line.');
    const unreadable = await upload(group.id, 'email,name\na@community.test,"Broken\n');
    expect(unreadable.status).toBe(422);
    expect(unreadable.text).toContain('The file could not be read as CSV');
    // A column named twice would quietly keep only its last value.
    const twice = await upload(group.id, 'email,name,Email\na@community.test,A,b@community.test\n');
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('The file could not be read as CSV');
    expect(await memberRows(group.id)).toEqual([]);

    const path = `/working-groups/${group.id}/members/import`;
    const noFile = await hr.post(path).field('_csrf', await csrfToken(hr, path));
    expect(noFile.status).toBe(422);
    expect(noFile.text).toContain('Choose a CSV file to import.');
    const noToken = await hr.post(path).attach('file', Buffer.from('email\nsneaky@community.test\n'), { filename: 'm.csv', contentType: 'text/csv' });
    expect(noToken.status).toBe(403);
    expect(await memberRows(group.id)).toEqual([]);
  });

  it('when the survey engine asks for milestones due, then groups with a template and a milestone on or before the day are listed', async () => {
    const f = factories(knex());
    const templateId = await template('Milestone template');
    const both = await f.workingGroup({ initialReportOn: '2026-11-01', closedOn: '2026-11-22', assessmentTemplateId: templateId, assessmentDays: 10 });
    const initialOnly = await f.workingGroup({ initialReportOn: '2026-11-22', closedOn: '2026-11-23', assessmentTemplateId: templateId });
    const noTemplate = await f.workingGroup({ initialReportOn: '2026-11-01', closedOn: '2026-11-02' });
    const ids = [both.id, initialOnly.id, noTemplate.id];
    // Groups made by earlier tests are due too; this test looks at its own.
    const due = (await service().milestonesDue('2026-11-22')).filter((d) => ids.includes(d.groupId));
    expect(due).toEqual([
      { groupId: both.id, milestone: 'initial_report', reachedOn: '2026-11-01', templateId, days: 10 },
      { groupId: both.id, milestone: 'closure', reachedOn: '2026-11-22', templateId, days: 10 },
      { groupId: initialOnly.id, milestone: 'initial_report', reachedOn: '2026-11-22', templateId, days: 21 },
    ]);
    expect((await service().milestonesDue('2026-10-31')).filter((d) => ids.includes(d.groupId))).toEqual([]);
  });

  it('when the id is unknown or not a number, then the page is not found', async () => {
    await hr.get('/working-groups/999999').expect(404);
    await hr.get('/working-groups/abc').expect(404);
    await hr.get('/working-groups/999999/members/import').expect(404);
    expect((await postForm(hr, '/working-groups', '/working-groups/999999/members', { email: 'a@community.test' })).status).toBe(404);
  });

  it('when a name holds markup, then it is shown as text', async () => {
    const group = await factories(knex()).workingGroup({ name: '<script>alert(1)</script> WG' });
    const page = await hr.get(`/working-groups/${group.id}`).expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; WG');
  });

  it('when a community member or a staff member tries, then they are refused and see no link', async () => {
    const f = factories(knex());
    const group = await f.workingGroup();
    for (const who of [await f.account({ roles: ['member'] }), await f.staffAccount()]) {
      const agent = await signedIn(context.app, who);
      await agent.get('/working-groups').expect(403);
      await agent.get(`/working-groups/${group.id}`).expect(403);
      const token = await csrfToken(agent, '/');
      await agent.post('/working-groups').type('form').send({ _csrf: token, name: 'Sneaky', type: 'pdp' }).expect(403);
      await agent.post(`/working-groups/${group.id}/members`).type('form').send({ _csrf: token, email: 'sneaky@community.test' }).expect(403);
      expect((await agent.get('/')).text).not.toContain('href="/working-groups"');
    }
    expect(await memberRows(group.id)).toEqual([]);
    expect(await knex()('working_groups').where({ name: 'Sneaky' })).toEqual([]);
  });
});
