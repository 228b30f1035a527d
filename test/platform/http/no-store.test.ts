import { agentFor, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, receiptCodeFrom, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { postForm } from '../../helpers/app';

describe('Cache-Control on pages that show feedback', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;

  it('when feedback and personal pages are read, then every response says no-store, and static files stay cacheable', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    const named = await submitFeedback(member, org.staff.staffMemberId!, { attribution: 'named', comment: 'Named words.' });
    const namedReference = referenceFrom(named.res.text);
    const namedId = await feedbackItemIdOf(knex(), namedReference);
    const anonymous = await submitFeedback(agentFor(context.app), org.staff.staffMemberId!, { attribution: 'anonymous', comment: 'Anonymous words.' });
    const code = receiptCodeFrom(anonymous.res.text);
    const routedItemId = String((await knex()('routed_items').select('public_id').where({ feedback_item_id: namedId }).first()).public_id);

    const manager = await signedIn(context.app, org.manager);
    const staff = await signedIn(context.app, org.staff);
    const hr = await signedIn(context.app, org.hr);
    const complaints = await signedIn(context.app, org.complaints);
    const reads = [
      { who: 'manager', path: '/inbox', get: () => manager.get('/inbox') },
      { who: 'manager', path: '/inbox.json', get: () => manager.get('/inbox.json') },
      { who: 'manager', path: '/inbox/:id', get: () => manager.get(`/inbox/${routedItemId}`) },
      { who: 'manager', path: '/inbox/:id.json', get: () => manager.get(`/inbox/${routedItemId}.json`) },
      { who: 'manager', path: '/reviews', get: () => manager.get('/reviews') },
      { who: 'manager', path: '/surveys/staff-reports', get: () => manager.get('/surveys/staff-reports') },
      { who: 'member', path: '/feedback/mine', get: () => member.get('/feedback/mine') },
      { who: 'member', path: '/feedback/mine/:reference', get: () => member.get(`/feedback/mine/${namedReference}`) },
      { who: 'staff', path: '/feedback/about-me', get: () => staff.get('/feedback/about-me') },
      { who: 'hr', path: '/feedback/items', get: () => hr.get('/feedback/items') },
      { who: 'hr', path: '/audit', get: () => hr.get('/audit') },
      { who: 'hr', path: '/surveys', get: () => hr.get('/surveys') },
      { who: 'complaints', path: '/complaints/office', get: () => complaints.get('/complaints/office') },
      { who: 'anonymous', path: 'POST /receipt', get: () => postForm(agentFor(context.app), '/receipt', '/receipt', { code }) },
    ];
    for (const read of reads) {
      const res = await read.get();
      expect({ ...read, get: undefined, status: res.status, cacheControl: res.headers['cache-control'] }).toEqual({ ...read, get: undefined, status: 200, cacheControl: 'no-store' });
    }
    expect((await manager.get(`/inbox/${routedItemId}`)).text).toContain('Named words.');

    const asset = await agentFor(context.app).get('/public/css/app.css');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).not.toContain('no-store');
  });
});
