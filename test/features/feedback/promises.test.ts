import { postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';
import { factories } from '../../factories';
import { createTranslator, type Translate } from '../../../server/platform/i18n';
import { STAFF_VISIBILITY, type StaffVisibility } from '../../../server/features/feedback/feedback.schema';

const unescaped = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** What each generated sentence for named feedback says the staff member concerned sees (kinds, with the name). */
const SAID_TO_SEE: Record<StaffVisibility, ReadonlyArray<'appreciation' | 'suggestion'>> = { none: [], named_appreciation: ['appreciation'], named_all: ['appreciation', 'suggestion'] };

describe('feedback form promises: each attribution\'s text is what the staff member concerned then sees', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  let t: Translate;
  beforeAll(async () => {
    t = (await createTranslator()).forLocale('en');
  });

  it('when the organisation changes what staff see, then the named and confidential texts on /feedback/new change with it, and the staff member sees exactly what was said', async () => {
    const org = await feedbackOrganisation(knex(), { displayName: 'Nadia Named' });
    const staffId = org.staff.staffMemberId;
    const named = await signedIn(context.app, org.member);
    const confidentialMember = await factories(knex()).account({ roles: ['member'], displayName: 'Connie Confidential' });
    const confidential = await signedIn(context.app, confidentialMember);
    for (const [agent, attribution, kind, comment] of [
      [named, 'named', 'appreciation', 'Named appreciation of the staff member.'],
      [named, 'named', 'suggestion', 'Named suggestion for the staff member.'],
      [confidential, 'confidential', 'appreciation', 'Confidential appreciation of the staff member.'],
    ] as const) {
      expect((await submitFeedback(agent, staffId, { attribution, kind, comment })).res.status).toBe(200);
    }
    const admin = await signedIn(context.app, org.admin);
    const staff = await signedIn(context.app, org.staff);

    for (const visibility of STAFF_VISIBILITY) {
      expect((await postForm(admin, '/admin/feedback', '/admin/feedback/visibility', { staffVisibility: visibility })).status).toBe(303);
      const form = unescaped((await named.get(`/feedback/new?staff=${staffId}`).expect(200)).text);
      // Exactly one of the named sentences is on the form: the one generated from the setting.
      const told = STAFF_VISIBILITY.filter((v) => form.includes(t(`feedback.attribution.named.help.${v}`)));
      expect(told).toEqual([visibility]);
      expect(form).toContain(t('feedback.attribution.confidential.help'));

      const seen = (await staff.get('/feedback/about-me').expect(200)).text;
      const promised = SAID_TO_SEE[told[0]!];
      expect(seen.includes('Named appreciation of the staff member.')).toBe(promised.includes('appreciation'));
      expect(seen.includes('Named suggestion for the staff member.')).toBe(promised.includes('suggestion'));
      expect(seen.includes('Nadia Named')).toBe(promised.length > 0);
      // Confidential: the staff member concerned never sees the name (nor, here, the item).
      expect(seen).not.toContain('Connie Confidential');
      expect(seen).not.toContain('Confidential appreciation of the staff member.');
    }
  });
});
