import express from 'express';
import { agentFor, createTestApp, csrfToken, signIn, type Agent, type TestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { factories } from '../factories';
import { access, assertEveryRouteDeclaresAccess, listRoutes, type AccessRule } from '../../server/platform/http/access';
import { ROLES, type Role } from '../../server/platform/auth/roles';

type Visitor = Role | 'anonymous';

// The reviewed table of who may call each route: 'public', 'signed-in', or the roles allowed.
// A new route or a changed rule must be entered here on purpose; the matrix below checks the
// running app against this table, not against the rules the code declares.
const EXPECTED_ACCESS = new Map<string, string>([
  ['GET /healthz', 'public'],
  ['GET /', 'public'],
  ['GET /sign-in', 'public'],
  ['POST /sign-in', 'public'],
  ['POST /sign-out', 'signed-in'],
  ['GET /sign-up', 'public'],
  ['POST /sign-up', 'public'],
  ['GET /verify/:token', 'public'],
  ['POST /verify/:token', 'public'],
  ['GET /reset-password', 'public'],
  ['POST /reset-password', 'public'],
  ['GET /reset/:token', 'public'],
  ['POST /reset/:token', 'public'],
  ['GET /account', 'signed-in'],
  ['GET /admin/accounts', 'admin'],
  ['GET /admin/accounts/:id', 'admin'],
  ['POST /admin/accounts/:id/roles', 'admin'],
  ['GET /admin/role-proposals', 'admin'],
  ['POST /admin/role-proposals/:id/approve', 'admin'],
  ['POST /admin/role-proposals/:id/reject', 'admin'],
  ['GET /directory', 'staff manager executive hr complaints admin'],
  ['GET /directory/staff/new', 'hr admin'],
  ['POST /directory/staff', 'hr admin'],
  ['GET /directory/staff/:id', 'staff manager executive hr complaints admin'],
  ['GET /directory/staff/:id/edit', 'hr admin'],
  ['POST /directory/staff/:id', 'hr admin'],
  ['GET /directory/departments', 'staff manager executive hr complaints admin'],
  ['POST /directory/departments', 'hr admin'],
  ['POST /directory/departments/:id', 'hr admin'],
  ['GET /directory/import', 'hr admin'],
  ['GET /directory/import/template.csv', 'hr admin'],
  ['POST /directory/import', 'hr admin'],
  ['GET /team', 'manager executive'],
  ['GET /team/:id', 'manager executive'],
  ['GET /feedback/new', 'public'],
  ['GET /feedback/requested/:token', 'public'],
  ['POST /feedback', 'public'],
  ['GET /feedback/mine', 'signed-in'],
  ['GET /feedback/mine/:id', 'signed-in'],
  ['POST /feedback/mine/:id/reply', 'signed-in'],
  ['GET /receipt', 'public'],
  ['POST /receipt', 'public'],
  ['POST /receipt/reply', 'public'],
  ['GET /feedback/about-me', 'staff manager executive hr complaints admin'],
  ['GET /feedback/items', 'hr complaints'],
  ['GET /feedback/items/:id/reveal', 'hr complaints'],
  ['POST /feedback/items/:id/reveal', 'hr complaints'],
  ['GET /admin/feedback', 'admin'],
  ['POST /admin/feedback/visibility', 'admin'],
  ['POST /admin/feedback/dimensions/:id', 'admin'],
  ['GET /inbox', 'staff manager executive hr complaints'],
  ['GET /inbox.json', 'staff manager executive hr complaints'],
  ['GET /inbox/:id.json', 'staff manager executive hr complaints'],
  ['GET /inbox/:id', 'staff manager executive hr complaints'],
  ['POST /inbox/:id/acknowledge', 'staff manager executive hr complaints'],
  ['POST /inbox/:id/reply', 'staff manager executive hr complaints'],
  ['POST /inbox/:id/forward', 'staff manager executive hr complaints'],
  ['POST /inbox/:id/reassign', 'hr complaints'],
  ['POST /inbox/:id/timeframe', 'staff manager executive hr complaints'],
  ['POST /inbox/:id/close', 'staff manager executive hr complaints'],
  ['GET /admin/routing-rules', 'admin'],
  ['POST /admin/routing-rules', 'admin'],
  ['POST /admin/routing-rules/:id/delete', 'admin'],
  ['GET /service-levels', 'public'],
  ['GET /service-levels.json', 'public'],
  ['GET /admin/service-levels', 'admin'],
  ['GET /complaints/new', 'public'],
  ['POST /complaints', 'signed-in'],
  ['GET /complaints/mine', 'signed-in'],
  ['GET /complaints/mine/:reference', 'signed-in'],
  ['GET /complaints/office', 'complaints'],
  ['GET /complaints/office/:reference', 'complaints'],
  ['POST /complaints/office/:reference/acknowledge', 'complaints'],
  ['POST /complaints/office/:reference/triage', 'complaints'],
  ['POST /complaints/office/:reference/resolve', 'complaints'],
  ['POST /complaints/office/:reference/publish', 'complaints'],
  ['GET /jobs/:publicId.json', 'signed-in'],
  ['GET /jobs/:publicId', 'signed-in'],
  ['GET /complaints/register', 'public'],
  ['GET /complaints/register.json', 'public'],
  ['GET /complaints/report', 'public'],
  ['GET /s/:token', 'public'],
  ['POST /s/:token', 'public'],
  ['GET /surveys/thank-you', 'public'],
  ['GET /surveys/templates', 'hr admin'],
  ['GET /surveys/templates/new', 'hr admin'],
  ['POST /surveys/templates', 'hr admin'],
  ['GET /surveys/templates/:id', 'hr admin'],
  ['POST /surveys/templates/:id', 'hr admin'],
  ['GET /surveys/templates/versions/:id/preview', 'hr admin'],
  ['GET /surveys/staff-reports', 'manager executive hr'],
  ['GET /surveys/staff-reports/:id', 'manager executive hr'],
  ['GET /surveys', 'hr admin'],
  ['GET /surveys/new', 'hr admin'],
  ['POST /surveys', 'hr admin'],
  ['GET /surveys/:id', 'hr admin'],
  ['POST /surveys/:id/close', 'hr admin'],
  ['GET /surveys/:id/results', 'hr'],
  ['GET /surveys/:id/results.csv', 'hr'],
  ['GET /surveys/:id/results.xlsx', 'hr'],
  ['GET /reviews', 'staff manager executive hr'],
  ['GET /reviews/:cycleId/packets', 'manager executive hr'],
  ['GET /reviews/:cycleId/packets/:staffId.pdf', 'manager executive hr'],
  ['GET /reviews/:cycleId/packets/:staffId', 'signed-in'],
  ['POST /reviews/:cycleId/packets/:staffId/review', 'manager executive'],
  ['POST /reviews/:cycleId/packets/:staffId/flags/:itemId', 'manager executive'],
  ['GET /reviews/:cycleId/progress', 'hr'],
  ['POST /reviews/:cycleId/exports', 'hr'],
  ['GET /reviews/exports/:id', 'hr'],
  ['GET /reviews/exports/:id/download', 'hr'],
  ['GET /reviews/trends', 'hr executive'],
  ['POST /admin/service-levels', 'admin'],
  ['POST /admin/service-levels/:id/details', 'admin'],
  ['POST /admin/service-levels/calendars/:id/holidays', 'admin'],
  ['POST /admin/service-levels/calendars/:id/holidays/:date/delete', 'admin'],
  ['POST /admin/service-levels/:id/steps', 'admin'],
  ['POST /admin/service-levels/steps/:id/delete', 'admin'],
  ['POST /admin/service-levels/:id/target', 'admin'],
  ['GET /working-groups', 'hr admin'],
  ['GET /working-groups/new', 'hr admin'],
  ['POST /working-groups', 'hr admin'],
  ['GET /working-groups/:id', 'hr admin'],
  ['GET /working-groups/:id/edit', 'hr admin'],
  ['POST /working-groups/:id', 'hr admin'],
  ['POST /working-groups/:id/members', 'hr admin'],
  ['POST /working-groups/:id/members/:memberId/delete', 'hr admin'],
  ['POST /working-groups/:id/staff', 'hr admin'],
  ['POST /working-groups/:id/staff/:staffMemberId/delete', 'hr admin'],
  ['GET /working-groups/:id/members/import', 'hr admin'],
  ['POST /working-groups/:id/members/import', 'hr admin'],
  ['GET /audit', 'hr admin'],
  ['GET /audit.csv', 'hr admin'],
  ['GET /audit.xlsx', 'hr admin'],
  ['GET /reviews/cycles', 'hr'],
  ['GET /reviews/cycles/new', 'hr'],
  ['POST /reviews/cycles', 'hr'],
  ['GET /reviews/cycles/:id', 'hr'],
  ['POST /reviews/cycles/:id', 'hr'],
  ['POST /reviews/cycles/:id/open', 'hr'],
  ['POST /reviews/cycles/:id/close', 'hr'],
  ['GET /reviews/cycles/:cycleId/staff/:staffId/solicit', 'manager executive hr'],
  ['POST /reviews/cycles/:cycleId/staff/:staffId/solicit', 'manager executive hr'],
]);

function describeRule(rule: AccessRule): string {
  return rule.kind === 'roles' ? rule.roles.join(' ') : rule.kind;
}

function allowed(expected: string, visitor: Visitor): boolean {
  if (expected === 'public') return true;
  if (visitor === 'anonymous') return false;
  return expected === 'signed-in' || expected.split(' ').includes(visitor);
}

describe('route access', () => {
  let database: TestDatabase;
  let app: TestApp;
  const credentials = new Map<Visitor, { email: string; password: string }>();
  const params: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ db: database.db });
    const f = factories(database.db.knex);
    const executive = await f.staffAccount({ isExecutive: true });
    const manager = await f.staffAccount({ managerId: executive.staffMemberId });
    const report = await f.staffAccount({ managerId: manager.staffMemberId });
    credentials.set('executive', executive);
    credentials.set('manager', manager);
    credentials.set('staff', report);
    for (const role of ['member', 'hr', 'complaints', 'admin'] as const) credentials.set(role, await f.account({ roles: [role] }));
    const target = await f.account({ roles: ['member'] });
    const department = await f.department();
    const group = await f.workingGroup();
    Object.assign(params, {
      '/working-groups/': String(group.id),
      '/directory/staff/': String(report.staffMemberId),
      '/team/': String(report.staffMemberId),
      '/admin/accounts/': String(target.id),
      '/directory/departments/': String(department.id),
    });
  });
  afterAll(() => database.destroy());

  function concretePath(path: string): string {
    const prefix = Object.keys(params).find((p) => path.startsWith(p));
    return path.replace(':id', prefix ? params[prefix]! : '1').replace(':token', 'not-a-real-token');
  }

  it('when the app is built, then every route declares who may call it', () => {
    const routes = listRoutes(app.app);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('when the app is built, then each route declares exactly the reviewed rule', () => {
    const declared = new Map(listRoutes(app.app).map((r) => [`${r.method} ${r.path}`, r.rule ? describeRule(r.rule) : 'none']));
    expect(Object.fromEntries(declared)).toEqual(Object.fromEntries(EXPECTED_ACCESS));
  });

  it('when the access check is not the first handler of a route, then the route counts as undeclared', () => {
    const bad = express();
    bad.get('/late', (_req, _res, next) => next(), access.public(), (_req, res) => void res.end());
    expect(() => assertEveryRouteDeclaresAccess(bad)).toThrow('GET /late');
  });

  it('when a route without an access rule is added, then the check refuses the app', () => {
    const bad = express();
    bad.get('/declared', access.public(), (_req, res) => void res.end());
    bad.get('/forgotten', (_req, res) => void res.end());
    expect(() => assertEveryRouteDeclaresAccess(bad)).toThrow('GET /forgotten');
  });

  // Several hundred requests: a generous ceiling so a busy machine does not fail it.
  it('when each role calls each route, then access matches the reviewed table', async () => {
    // Sign-out ends the session, so it goes last.
    const routes = listRoutes(app.app).sort((a, b) => Number(a.path === '/sign-out') - Number(b.path === '/sign-out'));
    const visitors: Visitor[] = ['anonymous', ...ROLES];
    // Each visitor has a session of their own, so they walk the table side by side.
    const perVisitor = await Promise.all(
      visitors.map(async (visitor) => {
        const found: string[] = [];
        const agent: Agent = agentFor(app);
        if (visitor !== 'anonymous') {
          const who = credentials.get(visitor)!;
          await signIn(agent, who.email, who.password);
        }
        const token = await csrfToken(agent, '/sign-in');
        for (const route of routes) {
          const path = concretePath(route.path);
          const res = route.method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ _csrf: token });
          const refused = res.status === 401 || res.status === 403 || (res.status === 303 && String(res.headers.location).startsWith('/sign-in?next='));
          const expected = allowed(EXPECTED_ACCESS.get(`${route.method} ${route.path}`) ?? 'unreviewed', visitor);
          if (res.status >= 500 || refused === expected) found.push(`${visitor} ${route.method} ${path}: ${res.status} (${expected ? 'should be allowed' : 'should be refused'})`);
        }
        return found;
      }),
    );
    const mismatches = perVisitor.flat();
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('when a manager opens someone outside their chain, then it is not found', async () => {
    const f = factories(database.db.knex);
    const otherManager = await f.staffAccount();
    await f.staffAccount({ managerId: otherManager.staffMemberId });
    const agent = agentFor(app);
    await signIn(agent, otherManager.email, otherManager.password);
    await agent.get('/team').expect(200);
    await agent.get(`/team/${params['/team/']}`).expect(404);

    const manager = agentFor(app);
    await signIn(manager, credentials.get('manager')!.email, credentials.get('manager')!.password);
    await manager.get(`/team/${params['/team/']}`).expect(200);
    const executive = await database.db.knex('accounts').where({ email: credentials.get('executive')!.email }).first();
    await manager.get(`/team/${executive.staff_member_id}`).expect(404);
  });

  it('when an admin edits roles, then only assignable roles are kept, privileged ones are proposed, and their own admin role cannot be dropped', async () => {
    const f = factories(database.db.knex);
    const admin = await f.account({ roles: ['admin'] });
    const target = await f.account({ roles: ['member'] });
    const agent = agentFor(app);
    await signIn(agent, admin.email, admin.password);
    // Read before building the request: a request takes the cookie jar as it is when created.
    const token = await csrfToken(agent, `/admin/accounts/${target.id}`);
    const ok = await agent.post(`/admin/accounts/${target.id}/roles`).type('form').send({ _csrf: token, roles: ['hr', 'complaints'] });
    expect(ok.status).toBe(303);
    // Removing the member role is immediate; HR and complaints wait for a second administrator.
    expect(await database.db.knex('account_roles').where({ account_id: target.id })).toEqual([]);
    expect((await database.db.knex('role_grant_proposals').where({ account_id: target.id }).whereNull('decision').orderBy('role')).map((r) => r.role)).toEqual(['complaints', 'hr']);
    const bogus = await agent.post(`/admin/accounts/${target.id}/roles`).type('form').send({ _csrf: token, roles: ['manager'] });
    expect(bogus.status).toBe(422);
    const self = await agent.post(`/admin/accounts/${admin.id}/roles`).type('form').send({ _csrf: token, roles: ['hr'] });
    expect(self.status).toBe(403);
    expect((await database.db.knex('account_roles').where({ account_id: admin.id })).map((r) => r.role)).toEqual(['admin']);
  });
});
