import request from 'supertest';
import { agentFor, csrfToken, deliverAll, manualClock, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { openSurvey, postAnswers, saveTemplate, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';

const ADDRESSES = ['ana@community.test', 'bo@community.test', 'cy@community.test', 'di@community.test', 'ed@community.test', 'fu@community.test'];
const PAGE_ONE = { 'a:overall': '4', 'a:recommend': '8', 'a:attended': 'yes', 'a:channels': ['calls', 'docs'], 'a:process.agenda': '5', 'a:process.minutes': '3', 'a:general_comments': 'Well run.' };

describe('a survey run: invitations, answering, reminders and closing', () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;
  let links: Map<string, string>;
  let surveyId: number;

  beforeAll(async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    surveyId = await openSurvey(admin, { title: 'Community check-in', templateId: String(templateId), audience: 'list', addresses: ADDRESSES.join('\n'), reminderDays: '7, 2', closesOn: '2026-12-13' });
    await deliverAll(context.app);
    links = surveyLinks(context.smtp, 'Your assessment: Community check-in');
  });

  it('when a survey opens, then every address gets its own link carrying at least 128 random bits', async () => {
    expect([...links.keys()].sort()).toEqual([...ADDRESSES].sort());
    const tokens = [...links.values()].map((path) => path.slice(3));
    expect(new Set(tokens).size).toBe(ADDRESSES.length);
    for (const token of tokens) expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    // The database holds only a hash of each secret and a sealed copy, never the secret itself.
    const stored = JSON.stringify(await knex()('survey_invitations').select('*'));
    for (const token of tokens) expect(stored).not.toContain(token);
  });

  it('when an answer is missing or invalid, then the page names it and keeps everything else that was typed', async () => {
    const member = agentFor(context.app);
    const path = links.get('ana@community.test')!;
    const res = await postAnswers(member, path, { page: '0', action: 'next', ...PAGE_ONE, 'a:overall': '', 'a:process.minutes': '9' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Answer this question.');
    expect(res.text).toContain('Choose a point on the scale.');
    expect(res.text).toContain('Well run.');
    expect(res.text).toMatch(/value="calls" checked/);
    expect(res.text).toMatch(/name="a:recommend" value="8" checked/);
  });

  it('when a post carries no form at all (another content type), then the page answers with its messages, not a server error', async () => {
    const member = agentFor(context.app);
    const path = links.get('bo@community.test')!;
    const token = await csrfToken(member, '/sign-in');
    const res = await member.post(path).set('Content-Type', 'text/plain').set('X-CSRF-Token', token).send('a:overall=4');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Answer this question.');
    expect(await knex()('survey_responses').where({ survey_id: surveyId })).toEqual([]);
  });

  it('when a member moves on, saves and comes back, then the conditional page appears for their answer and what they saved is still there', async () => {
    const member = agentFor(context.app);
    const path = links.get('ana@community.test')!;
    const second = await postAnswers(member, path, { page: '0', action: 'next', ...PAGE_ONE });
    expect(second.status).toBe(200);
    expect(second.text).toContain('How useful was the face-to-face meeting?');

    const saved = await postAnswers(member, path, { page: '1', action: 'save', ...PAGE_ONE, 'a:meeting_value': '5' });
    expect(saved.text).toContain('Your answers are saved.');
    const resumed = await agentFor(context.app).get(`${path}?page=1`).expect(200);
    expect(resumed.text).toMatch(/name="a:meeting_value" value="5" checked/);
    expect(resumed.text).toContain('name="a:general_comments" value="Well run."');
  });

  it('when a member answers "no", then the conditional question is neither shown nor required nor stored', async () => {
    const member = agentFor(context.app);
    const path = links.get('bo@community.test')!;
    const next = await postAnswers(member, path, { page: '0', action: 'next', ...PAGE_ONE, 'a:attended': 'no' });
    // With the meeting page skipped there is no page after this one: the same page comes back, whole.
    expect(next.status).toBe(200);
    expect(next.text).toContain('Did you attend the face-to-face meeting?');
    expect(next.text).toMatch(/name="a:attended" value="no" checked/);
    expect(next.text).not.toContain('How useful was the face-to-face meeting?');
    // A hand-made post of the hidden question's answer is dropped: the server decides what was asked.
    const done = await postAnswers(member, path, { page: '0', action: 'submit', ...PAGE_ONE, 'a:attended': 'no', 'a:meeting_value': '1' });
    expect(done.status).toBe(303);
    const answers = (await knex()('survey_responses').select('answers')).map((r) => JSON.parse(r.answers));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toEqual({ overall: 4, recommend: 8, attended: 'no', channels: ['calls', 'docs'], 'process.agenda': 5, 'process.minutes': 3, general_comments: 'Well run.' });
  });

  it('when a link is submitted twice, then the second is harmless and one response is kept', async () => {
    const path = links.get('ana@community.test')!;
    const fields = { page: '1', action: 'submit', ...PAGE_ONE, 'a:meeting_value': '5' };
    const first = await postAnswers(agentFor(context.app), path, fields);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/surveys/thank-you');
    const again = await postAnswers(agentFor(context.app), path, fields);
    expect([200, 303]).toContain(again.status);
    expect(Number((await knex()('survey_responses').count({ n: '*' }).first())!.n)).toBe(2);
    const visit = await request(context.app.app).get(path).expect(200);
    expect(visit.text).toContain('this link has already been used');
    // The saved draft went with the submit.
    expect((await knex()('survey_invitations').whereNotNull('draft')).length).toBe(0);
  });

  it('when reminders fall due, then only those who have not answered get each one, once', async () => {
    const reminders = () => context.smtp.received.filter((m) => m.subject === 'Reminder: Community check-in').map((m) => m.to[0]).sort();
    clock.advance(Date.parse('2026-12-07T00:30:00Z') - clock.now());
    await context.app.services.surveys.sweep();
    await context.app.services.surveys.sweep();
    await deliverAll(context.app);
    expect(reminders()).toEqual(['cy@community.test', 'di@community.test', 'ed@community.test', 'fu@community.test']);
    // The reminder repeats the member's own link.
    const mail = context.smtp.received.find((m) => m.subject === 'Reminder: Community check-in' && m.to[0] === 'cy@community.test')!;
    expect(mail.text).toContain(links.get('cy@community.test')!);

    await postAnswers(agentFor(context.app), links.get('cy@community.test')!, { page: '0', action: 'submit', ...PAGE_ONE, 'a:attended': 'no' });
    clock.advance(Date.parse('2026-12-12T00:30:00Z') - clock.now());
    await context.app.services.surveys.sweep();
    await context.app.services.surveys.sweep();
    await deliverAll(context.app);
    expect(reminders()).toEqual(['cy@community.test', 'di@community.test', 'di@community.test', 'ed@community.test', 'ed@community.test', 'fu@community.test', 'fu@community.test']);
  });

  it('when the closing date passes, then the survey closes, links stop working and addresses are forgotten', async () => {
    clock.advance(Date.parse('2026-12-14T00:00:01Z') - clock.now());
    expect((await context.app.services.surveys.sweep()).closed).toBe(1);
    const visit = await request(context.app.app).get(links.get('di@community.test')!);
    expect(visit.status).toBe(410);
    expect(visit.text).toContain('This survey has closed');
    const late = await postAnswers(agentFor(context.app), links.get('ed@community.test')!, { page: '0', action: 'submit', ...PAGE_ONE });
    expect(late.status).toBe(410);
    expect(Number((await knex()('survey_responses').count({ n: '*' }).first())!.n)).toBe(3);
    const invitations = await knex()('survey_invitations').select('email', 'draft', 'token_sealed', 'has_responded', 'reminders_sent').where({ survey_id: surveyId });
    // Nothing left to say who was asked, nor between which reminders anyone answered.
    expect(invitations.every((i) => i.email === null && i.draft === null && i.token_sealed === '' && Number(i.reminders_sent) === 0)).toBe(true);
    expect(await knex()('survey_audience_addresses').where({ survey_id: surveyId })).toHaveLength(0);
    expect(invitations.filter((i) => Boolean(i.has_responded))).toHaveLength(3);
  });

  it('when the database is read, then no response can be joined to its invitation: no shared key, no order, only the day', async () => {
    const columns = Object.keys(await knex()('survey_responses').columnInfo()).sort();
    expect(columns).toEqual(['answers', 'id', 'submitted_on', 'survey_id']);
    const invitationColumns = Object.keys(await knex()('survey_invitations').columnInfo());
    expect(invitationColumns).not.toContain('response_id');
    expect(invitationColumns.some((c) => /responded_at|submitted/.test(c))).toBe(false);
    const responses = await knex()('survey_responses').select('id', 'submitted_on');
    expect(responses.length).toBeGreaterThanOrEqual(2);
    for (const r of responses) {
      expect(r.submitted_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.id).toMatch(/^[0-9a-f]{32}$/);
    }
    // Nor does the storage keep the order of arrival: SQLite has no hidden rowid on this table
    // (MySQL has none to begin with), and rows come back in the order of their random keys.
    if (testDialect === 'sqlite') {
      // The message, not the error's class: the driver's errors come from another realm under Jest.
      const refusal = await Promise.resolve(knex().raw('SELECT rowid FROM survey_responses')).then(
        () => 'answered',
        (err: unknown) => String((err as { message?: unknown }).message),
      );
      expect(refusal).toMatch(/no such column: rowid/);
    }
    const ids = (await knex()('survey_responses').select('id')).map((r: { id: string }) => r.id);
    expect(ids).toEqual([...ids].sort());
  });
});
