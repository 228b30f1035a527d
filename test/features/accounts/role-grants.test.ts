import { agentFor, csrfToken, deliverAll, manualClock, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';
import { ROLE_PROPOSAL_TTL_MS } from '../../../server/features/accounts/role-grants.service';

const DAY_MS = 86_400_000;

describe('separation of duties: granting privileged roles', () => {
  const clock = manualClock(Date.parse('2026-12-01T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;

  const storedRoles = async (accountId: number) => (await knex()('account_roles').where({ account_id: accountId }).orderBy('role')).map((r) => String(r.role));
  const pendingProposals = (accountId: number) => knex()('role_grant_proposals').where({ account_id: accountId }).whereNull('decision');

  /** Posts the roles form of an account as `agent`. */
  async function setRoles(agent: Agent, accountId: number, roles: string[]) {
    const token = await csrfToken(agent, `/admin/accounts/${accountId}`);
    return agent.post(`/admin/accounts/${accountId}/roles`).type('form').send({ _csrf: token, roles });
  }

  async function decide(agent: Agent, proposalId: number, decision: 'approve' | 'reject') {
    const token = await csrfToken(agent, '/admin/role-proposals');
    return agent.post(`/admin/role-proposals/${proposalId}/${decision}`).type('form').send({ _csrf: token });
  }

  async function twoAdmins() {
    const f = factories(knex());
    const first = await f.account({ roles: ['admin'], displayName: 'Ada Proposer' });
    const second = await f.account({ roles: ['admin'], displayName: 'Bo Approver' });
    return { first, second, proposer: await signedIn(context.app, first), approver: await signedIn(context.app, second) };
  }

  it('when an admin ticks HR on their own account, then the one request is refused with a message and nothing is granted or proposed', async () => {
    const { first, proposer } = await twoAdmins();
    for (const role of ['hr', 'complaints']) {
      const res = await setRoles(proposer, first.id, ['admin', role]);
      expect(res.status).toBe(403);
      expect(res.text).toContain('You cannot grant yourself a role that reads identities or content');
    }
    expect(await storedRoles(first.id)).toEqual(['admin']);
    expect(await pendingProposals(first.id)).toEqual([]);
  });

  it('when an admin proposes HR for another account, then nothing changes until a second admin approves, and the proposer cannot approve it', async () => {
    const { first, proposer, approver } = await twoAdmins();
    const target = await factories(knex()).account({ roles: ['member'], displayName: 'Tia Target' });

    const proposed = await setRoles(proposer, target.id, ['member', 'hr']);
    expect(proposed.status).toBe(303);
    expect((await proposer.get(`/admin/accounts/${target.id}`)).text).toContain("Awaiting a second administrator&#x27;s approval: Human resources.");
    expect(await storedRoles(target.id)).toEqual(['member']);
    const [proposal] = await pendingProposals(target.id);
    expect(proposal).toMatchObject({ role: 'hr', proposed_by: first.id });

    // The proposer's page offers no approval, and a forged post is refused.
    const page = (await proposer.get('/admin/role-proposals').expect(200)).text;
    expect(page).toContain('Tia Target');
    expect(page).toContain('Another administrator must approve this.');
    expect(page).not.toContain(`/admin/role-proposals/${proposal.id}/approve`);
    const own = await decide(proposer, proposal.id, 'approve');
    expect(own.status).toBe(403);
    expect(own.text).toContain('You proposed this role, so another administrator must approve it.');
    expect(await storedRoles(target.id)).toEqual(['member']);

    expect((await approver.get('/admin/role-proposals')).text).toContain(`/admin/role-proposals/${proposal.id}/approve`);
    expect((await decide(approver, proposal.id, 'approve')).status).toBe(303);
    expect(await storedRoles(target.id)).toEqual(['hr', 'member']);
    expect(await pendingProposals(target.id)).toEqual([]);
    // Decided once: a second approval finds nothing.
    expect((await decide(approver, proposal.id, 'approve')).status).toBe(404);
  });

  it('when a proposal names an admin as recipient, then that admin cannot approve it for themselves', async () => {
    const { second, proposer, approver } = await twoAdmins();
    await setRoles(proposer, second.id, ['admin', 'hr']);
    const [proposal] = await pendingProposals(second.id);
    const res = await decide(approver, proposal.id, 'approve');
    expect(res.status).toBe(403);
    expect(res.text).toContain('This role is proposed for you, so another administrator must approve it.');
    expect(await storedRoles(second.id)).toEqual(['admin']);
  });

  it('when an admin makes a second account of their own an admin, then it is only proposed, so that account cannot approve their HR', async () => {
    const { first, proposer } = await twoAdmins();
    const puppet = await factories(knex()).account({ roles: ['member'] });
    await setRoles(proposer, puppet.id, ['member', 'admin']);
    expect(await storedRoles(puppet.id)).toEqual(['member']);
    const puppetAgent = await signedIn(context.app, puppet);
    expect((await puppetAgent.get('/admin/role-proposals')).status).toBe(403);
    // Nor can the proposal for their own HR be made at all.
    expect((await setRoles(proposer, first.id, ['admin', 'hr'])).status).toBe(403);
  });

  it('when a second admin approves, then every existing holder of the role is told by e-mail, and the audit log shows proposer and approver', async () => {
    const f = factories(knex());
    const holders = [await f.account({ roles: ['complaints'] }), await f.account({ roles: ['complaints', 'member'] })];
    // Each e-mail follows its recipient's stored language (no second catalogue yet: the page language shows it).
    await knex()('accounts').where({ id: holders[1]!.id }).update({ locale: 'fr' });
    const { first, second, proposer, approver } = await twoAdmins();
    const target = await f.account({ roles: [], displayName: 'Cleo Newcomer' });
    await deliverAll(context.app);
    context.smtp.received.length = 0;

    await setRoles(proposer, target.id, ['complaints']);
    await deliverAll(context.app);
    expect(context.smtp.received).toEqual([]);
    const [proposal] = await pendingProposals(target.id);
    await decide(approver, proposal.id, 'approve');
    await deliverAll(context.app);

    expect(context.smtp.received.map((m) => m.to).flat().sort()).toEqual(holders.map((h) => h.email).sort());
    expect(context.smtp.to(holders[0]!.email)[0]!.html).toContain('<html lang="en">');
    expect(context.smtp.to(holders[1]!.email)[0]!.html).toContain('<html lang="fr">');
    for (const holder of holders) {
      const [mail] = context.smtp.to(holder.email);
      expect(mail!.subject).toBe('A role you hold in Accountable has been granted to someone else');
      expect(mail!.text).toContain('Cleo Newcomer now holds the role Complaints officer. It was proposed by Ada Proposer and approved by Bo Approver.');
    }

    const events = await knex()('audit_events').where({ subject_type: 'account', subject_id: String(target.id) }).whereIn('action', ['account.role.propose', 'account.role.grant']).orderBy('id');
    expect(events.map((e) => [e.action, e.actor_account_id])).toEqual([
      ['account.role.propose', first.id],
      ['account.role.grant', second.id],
    ]);
    expect(JSON.parse(events[1].detail)).toEqual({ role: 'complaints', proposal: proposal.id, proposedBy: first.id, approvedBy: second.id });

    // The log page names both people beside their step.
    const log = (await approver.get('/audit?action=account.role').expect(200)).text;
    const rows = [...log.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => row!).filter((row) => row.includes(`"audit-subject-id">${target.id}<`));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Role granted (approved by a second administrator)');
    expect(rows[0]).toContain('Bo Approver');
    expect(rows[0]).toContain(`&quot;proposedBy&quot;:${first.id}`);
    expect(rows[1]).toContain('Role grant proposed');
    expect(rows[1]).toContain('Ada Proposer');
  });

  it('when a proposal is rejected or has lapsed, then the role is never granted', async () => {
    const { proposer, approver } = await twoAdmins();
    const f = factories(knex());
    const rejected = await f.account();
    const lapsed = await f.account();
    await setRoles(proposer, rejected.id, ['hr']);
    await setRoles(proposer, lapsed.id, ['hr']);
    const [toReject] = await pendingProposals(rejected.id);
    const [toLapse] = await pendingProposals(lapsed.id);

    expect((await decide(approver, toReject.id, 'reject')).status).toBe(303);
    expect((await decide(approver, toReject.id, 'approve')).status).toBe(404);
    expect(await storedRoles(rejected.id)).toEqual([]);

    clock.advance(ROLE_PROPOSAL_TTL_MS + DAY_MS);
    expect((await approver.get('/admin/role-proposals')).text).not.toContain(`/admin/role-proposals/${toLapse.id}/`);
    expect((await decide(approver, toLapse.id, 'approve')).status).toBe(404);
    expect(await storedRoles(lapsed.id)).toEqual([]);
  });

  it('when an admin removes a privileged role, then it is gone at once, without approval', async () => {
    const { proposer } = await twoAdmins();
    const hr = await factories(knex()).account({ roles: ['hr', 'complaints'] });
    expect((await setRoles(proposer, hr.id, ['complaints'])).status).toBe(303);
    expect(await storedRoles(hr.id)).toEqual(['complaints']);
  });

  it('when the approval is posted without a CSRF token, or by someone who is not an admin, then it is refused', async () => {
    const { proposer, approver } = await twoAdmins();
    const target = await factories(knex()).account();
    await setRoles(proposer, target.id, ['hr']);
    const [proposal] = await pendingProposals(target.id);
    expect((await approver.post(`/admin/role-proposals/${proposal.id}/approve`).type('form').send({})).status).toBe(403);
    const hr = await signedIn(context.app, await factories(knex()).account({ roles: ['hr'] }));
    expect((await hr.get('/admin/role-proposals')).status).toBe(403);
    expect((await decide(hr, proposal.id, 'approve')).status).toBe(403);
    expect((await agentFor(context.app).get('/admin/role-proposals')).status).toBe(303);
    expect(await storedRoles(target.id)).toEqual([]);
  });
});
