import en from '../../../server/platform/i18n/locales/en.json';
import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { feedbackOrganisation } from '../../helpers/feedback';
import { createCycle, openCycle, solicitPath } from '../../helpers/reviews';
import { formBody } from '../../helpers/surveys';
import { factories } from '../../factories';

describe(`solicited input from a suggestion without a name (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  const nameless = 'nameless.member@community.test';
  const typed = 'typed.by.manager@community.test';

  it('when the manager asks a group member who has no display name, then the list of people asked names them without the address the manager never had', async () => {
    const org = await feedbackOrganisation(knex());
    const f = factories(knex());
    const group = await f.workingGroup({ name: 'EPDP Phase 9' });
    await f.supportStaff(group.id, org.staff.staffMemberId);
    await f.groupMember(group.id, { email: nameless, displayName: '' });
    const cycleId = await createCycle(await signedIn(context.app, org.hr));
    await openCycle(await signedIn(context.app, org.hr), cycleId);
    const path = solicitPath(cycleId, org.staff.staffMemberId);

    const manager = await signedIn(context.app, org.manager);
    const form = await manager.get(path).expect(200);
    expect(form.text).not.toContain(nameless);
    const handle = form.text.match(/name="suggested" value="([A-Za-z0-9_-]{22})"[^>]*> A community member without a display name<\/label>/)![1]!;
    const token = form.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    await manager.post(path).type('form').send(formBody({ suggested: [handle], addresses: typed, deadlineOn: '2026-12-06', _csrf: token })).expect(303);
    expect((await knex()('solicitation_requests').select('email').orderBy('email')).map((r) => r.email)).toEqual([nameless, typed]);

    const page = await manager.get(path).expect(200);
    const asked = page.text.slice(page.text.indexOf(`<h2>${en.reviews.solicit.requests}</h2>`));
    expect(asked).not.toContain(nameless);
    expect(asked).toContain(en.reviews.solicit.unnamed);
    // An address the manager typed is theirs to see.
    expect(asked).toContain(typed);
  });
});
