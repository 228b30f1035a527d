import { agentFor, deliverAll, postForm, signIn, useTestApp } from '../../helpers/app';
import { linkIn } from '../../helpers/mail';
import { factories } from '../../factories';

describe('registration, e-mail verification and password reset', () => {
  const context = useTestApp({ smtp: true });
  const deliver = () => deliverAll(context.app);

  /** Opens a verification link and completes it with a name and a password. */
  const completeVerification = async (agent: ReturnType<typeof agentFor>, link: string, fields: Record<string, string>) => {
    const path = new URL(link).pathname;
    return postForm(agent, path, path, fields);
  };

  it('when a community member signs up, then a link arrives by SMTP, and following it sets the password and opens the account', async () => {
    const visitor = agentFor(context.app);
    const res = await postForm(visitor, '/sign-up', '/sign-up', { displayName: 'Rosa Community', email: 'Rosa@Example.test' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Check your e-mail');

    // No password exists yet: signing in fails exactly as for an unknown address.
    const early = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: 'rosa@example.test', password: 'anything at all' });
    expect(early.status).toBe(401);

    expect(await deliver()).toBe(1);
    const mails = context.smtp.to('rosa@example.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Confirm your e-mail address for Accountable');
    const link = linkIn(mails[0]!, 'http://accountable.test/verify/');

    const form = await visitor.get(new URL(link).pathname).expect(200);
    expect(form.text).toContain('value="Rosa Community"');
    const mismatch = await completeVerification(visitor, link, { displayName: 'Rosa C.', password: 'a long enough password', passwordConfirmation: 'different' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The two passwords are not the same.');
    expect(mismatch.text).toContain('value="Rosa C."');
    expect(mismatch.text).not.toContain('a long enough password');

    const confirm = await completeVerification(visitor, link, { displayName: 'Rosa C.', password: 'a long enough password', passwordConfirmation: 'a long enough password' });
    expect(confirm.status).toBe(303);
    expect(confirm.headers.location).toBe('/sign-in');

    const member = agentFor(context.app);
    await signIn(member, 'rosa@example.test', 'a long enough password');
    const account = await member.get('/account').expect(200);
    expect(account.text).toContain('Rosa C.');
    expect(account.text).toContain('Community member');

    // A link works once.
    expect((await agentFor(context.app).get(new URL(link).pathname)).status).toBe(400);
    const again = await postForm(agentFor(context.app), '/sign-in', new URL(link).pathname, { displayName: 'X', password: 'another long password', passwordConfirmation: 'another long password' });
    expect(again.status).toBe(400);
  });

  it('when the verified e-mail is a staff address, then the account is linked to the directory and gets staff roles', async () => {
    const f = factories(context.database.db.knex);
    const manager = await f.staff({ email: 'lead@org.test' });
    await f.staff({ email: 'report@org.test', managerId: manager.id });
    const visitor = agentFor(context.app);
    await postForm(visitor, '/sign-up', '/sign-up', { displayName: 'Lead', email: 'lead@org.test' });
    await deliver();
    await completeVerification(visitor, linkIn(context.smtp.to('lead@org.test').at(-1)!, 'http://accountable.test/verify/'), {
      displayName: 'Lead',
      password: 'another long password',
      passwordConfirmation: 'another long password',
    });
    const lead = agentFor(context.app);
    await signIn(lead, 'lead@org.test', 'another long password');
    const account = await lead.get('/account').expect(200);
    expect(account.text).toContain('People manager');
    expect(account.text).toContain('Staff member');
    expect(account.text).not.toContain('Community member');
    await lead.get('/team').expect(200);
  });

  it('when the sign-up form is invalid, then each field says why and what was typed is kept', async () => {
    const res = await postForm(agentFor(context.app), '/sign-up', '/sign-up', { displayName: 'Kept Name', email: 'not-an-email' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Kept Name"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('Enter an e-mail address like name@example.org.');
    const empty = await postForm(agentFor(context.app), '/sign-up', '/sign-up', { displayName: '', email: '' });
    expect(empty.text).toContain('Enter your name.');
    expect(empty.text).toContain('Enter an e-mail address.');
  });

  it('when someone signs up with a known e-mail, then the page is identical and the owner is told by e-mail', async () => {
    const f = factories(context.database.db.knex);
    const known = await f.account({ email: 'known@example.test' });
    const forKnown = await postForm(agentFor(context.app), '/sign-up', '/sign-up', { displayName: 'Someone', email: known.email });
    const forUnknown = await postForm(agentFor(context.app), '/sign-up', '/sign-up', { displayName: 'Someone', email: 'fresh@example.test' });
    expect(forKnown.status).toBe(forUnknown.status);
    expect(stripTokens(forKnown.text)).toBe(stripTokens(forUnknown.text));
    await deliver();
    expect(context.smtp.to(known.email).map((m) => m.subject)).toContain('You already have an Accountable account');
  });

  it('when someone signs up an address they do not control, then they cannot use it, and the owner chooses the password', async () => {
    const attacker = agentFor(context.app);
    await postForm(attacker, '/sign-up', '/sign-up', { displayName: 'Impostor', email: 'victim@example.test' });
    const probe = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: 'victim@example.test', password: 'whatever the attacker chose' });
    const unknown = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: 'nobody-at-all@example.test', password: 'whatever the attacker chose' });
    expect(probe.status).toBe(401);
    expect(unknown.status).toBe(401);
    await deliver();
    const owner = agentFor(context.app);
    await completeVerification(owner, linkIn(context.smtp.to('victim@example.test').at(-1)!, 'http://accountable.test/verify/'), {
      displayName: 'The Real Owner',
      password: 'owner chose this one',
      passwordConfirmation: 'owner chose this one',
    });
    await signIn(agentFor(context.app), 'victim@example.test', 'owner chose this one');
    expect((await context.database.db.knex('accounts').where({ email: 'victim@example.test' }).first()).display_name).toBe('The Real Owner');
  });

  it('when a password reset is asked for, then the link arrives by SMTP, sets the new password once, and ends old sessions', async () => {
    const f = factories(context.database.db.knex);
    const account = await f.account({ email: 'forgetful@example.test' });
    const oldSession = agentFor(context.app);
    await signIn(oldSession, account.email, account.password);
    await oldSession.get('/account').expect(200);

    const forKnown = await postForm(agentFor(context.app), '/reset-password', '/reset-password', { email: account.email });
    const forUnknown = await postForm(agentFor(context.app), '/reset-password', '/reset-password', { email: 'nobody@example.test' });
    expect(forKnown.status).toBe(200);
    expect(stripTokens(forKnown.text)).toBe(stripTokens(forUnknown.text));

    await deliver();
    expect(context.smtp.to('nobody@example.test')).toHaveLength(0);
    const mail = context.smtp.to(account.email).at(-1)!;
    expect(mail.subject).toBe('Reset your Accountable password');
    const path = new URL(linkIn(mail, 'http://accountable.test/reset/')).pathname;

    const visitor = agentFor(context.app);
    const mismatch = await postForm(visitor, path, path, { password: 'brand new password', passwordConfirmation: 'different' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The two passwords are not the same.');

    const done = await postForm(visitor, path, path, { password: 'brand new password', passwordConfirmation: 'brand new password' });
    expect(done.status).toBe(303);

    await oldSession.get('/account').expect(303);
    const bad = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: account.email, password: account.password });
    expect(bad.status).toBe(401);
    await signIn(agentFor(context.app), account.email, 'brand new password');

    const used = await agentFor(context.app).get(path);
    expect(used.status).toBe(400);
    expect(used.text).toContain('This link is not valid');
    const reuse = await postForm(agentFor(context.app), '/sign-in', path, { password: 'third password here', passwordConfirmation: 'third password here' });
    expect(reuse.status).toBe(400);
  });
});

/** Pages differ only in their CSRF tokens. */
function stripTokens(html: string): string {
  return html.replace(/value="[^"]*" name="_csrf"|name="_csrf" value="[^"]*"/g, '');
}
