import { manualClock, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { statementsOf } from '../../helpers/queries';
import { JOB_BATCH_SIZE } from '../../../server/platform/jobs';
import { INVITATION_BATCH_SIZE } from '../../../server/features/surveys/surveys.service';
import { openSurvey, saveTemplate, surveyAdmin, TEST_DEFINITION } from '../../helpers/surveys';

describe(`the statements one batch of invitations runs (${testDialect})`, () => {
  const context = useTestApp({ clock: manualClock(Date.parse('2026-11-22T09:00:00Z')) });
  const knex = () => context.database.db.knex;

  it('when a batch of invitations goes out, then its invitations and their e-mails are written in a few multi-row statements', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    const audience = Array.from({ length: JOB_BATCH_SIZE + 1 }, (_, i) => `invitee${i}@community.test`);
    await openSurvey(admin, { title: 'Batched', templateId: String(templateId), audience: 'list', addresses: audience.join('\n') });
    const { statements } = await statementsOf(knex(), () => context.app.services.jobs.runOnce({ maxSteps: 1 }));
    // Before issue 13: one INSERT per e-mail.
    expect(statements.filter((sql) => sql.startsWith('insert into `outbox_messages`'))).toHaveLength(Math.ceil(INVITATION_BATCH_SIZE / 100));
    expect(statements.filter((sql) => sql.startsWith('insert into `survey_invitations`'))).toHaveLength(1);
    const mails = await knex()('outbox_messages').where('template', 'survey-invitation').select('to_address', 'body_text');
    expect(mails).toHaveLength(INVITATION_BATCH_SIZE);
    expect(new Set(mails.map((m) => m.to_address)).size).toBe(INVITATION_BATCH_SIZE);
    expect(mails.every((m) => /\/s\/[A-Za-z0-9_-]{43}/.test(String(m.body_text)))).toBe(true);
  });
});
