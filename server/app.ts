import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import express, { type Application } from 'express';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import type { Config } from './config';
import { createAuditLog } from './platform/audit';
import { createPassport } from './platform/auth/passport';
import { createPasswordHasher } from './platform/auth/passwords';
import { createSessionMiddleware } from './platform/auth/session';
import { createAddressPseudonyms, createAddressThrottle, createEmailRequestThrottle } from './platform/auth/throttles';
import { hasAnyRole, ORGANISATION_ROLES } from './platform/auth/roles';
import type { Clock } from './platform/clock';
import type { Database } from './platform/db';
import { getOrCreateSecret } from './platform/db/secrets';
import { createApplicationKeys } from './platform/keys';
import { NotFoundError } from './platform/errors';
import { assertEveryRouteDeclaresAccess } from './platform/http/access';
import { createErrorHandler } from './platform/http/error-handler';
import { createCsrf, noStore, securityHeaders } from './platform/http/security';
import { configureViews } from './platform/http/views';
import { createTranslator } from './platform/i18n';
import { pathWithoutQuery, type Logger } from './platform/logger';
import { createEmailComposer } from './platform/mail/composer';
import { createOutbox } from './platform/mail/outbox';
import { createMailTransport, type MailTransport } from './platform/mail/transport';
import { publicDir } from './platform/paths';
import { createBackgroundJobs } from './platform/jobs';
import { createJobRoutes } from './platform/jobs/routes';
import { createOutboxSender } from './jobs/outbox-sender';
import { createHeartbeats } from './jobs/heartbeats';
import { createJobRegistry } from './jobs/registry';
import { createRetentionSweep } from './jobs/retention';
import { createHealthRoutes } from './features/health/health.routes';
import { createDirectory, DIRECTORY_IMPORT_PATH } from './features/directory';
import { createAccounts } from './features/accounts';
import { createHomeRoutes } from './features/home/home.routes';
import { createRouting } from './features/routing';
import { createFeedbackStore } from './features/feedback';
import { createServiceLevels } from './features/service-levels';
import { COMPLAINTS_SERVICE, createComplaints } from './features/complaints';
import { createSurveys, SURVEY_CREATE_PATH } from './features/surveys';
import { createReviews } from './features/reviews';
import { DEFAULT_LOCALE } from './platform/i18n';
import { createWorkingGroups, WORKING_GROUP_IMPORT_PATH } from './features/surveys/working-groups';
import { createAuditLogViewer } from './features/audit-log';
import { createReviewCycles } from './features/reviews/cycles';
import { createSolicitations } from './features/reviews/solicitation';

// Per client address. Generous, because many community members share one address at a meeting.
export const ANONYMOUS_FEEDBACK_PER_HOUR = 30;
export const COMPLAINTS_PER_HOUR = 10;
export const RECEIPT_LOOKUP_FAILURES = 20;

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
  /** Replaces the transport chosen from the configuration (tests point it at an in-process SMTP server). */
  mailTransport?: MailTransport;
  /** Holds back sign-ins from a network that guesses a lot (tests replace it, so nothing sleeps). */
  pause?: (ms: number) => Promise<void>;
}

export async function createApp(deps: AppDeps) {
  const { config, db, logger, clock } = deps;
  const translator = await createTranslator();
  const secret = config.sessionSecret ?? (await getOrCreateSecret(db.knex, 'session', clock));
  const keyFor = createApplicationKeys({ secretKey: config.secretKey, knex: db.knex, clock });
  const csrf = createCsrf({ secret, secure: config.cookieSecure, uploadPaths: [DIRECTORY_IMPORT_PATH, WORKING_GROUP_IMPORT_PATH, SURVEY_CREATE_PATH] });

  const audit = createAuditLog(db.knex, clock);
  const outbox = createOutbox(db.knex, db.dialect, clock);
  const emails = createEmailComposer(translator);
  const transport = deps.mailTransport ?? createMailTransport({ smtpUrl: config.smtpUrl, mailDir: config.mailDir });
  const outboxSender = createOutboxSender({ outbox, transport, logger, clock, from: config.mailFrom, messageIdDomain: new URL(config.publicUrl).hostname, leaseMs: config.outboxLeaseMs });
  // Every process registers every job (its /healthz reports on them); server/index.ts starts them by role.
  const jobRegistry = createJobRegistry({ heartbeats: createHeartbeats({ knex: db.knex, clock }), logger });

  const jobs = createBackgroundJobs({ knex: db.knex, dialect: db.dialect, now: () => clock.now() });
  const addressKey = createAddressPseudonyms(db.knex, clock);
  const directory = createDirectory({ knex: db.knex, audit, clock, acceptUpload: csrf.acceptUpload, jobs });
  const accounts = createAccounts({
    knex: db.knex,
    audit,
    clock,
    outbox,
    emails,
    passwords: createPasswordHasher(config.passwordHashCost),
    publicUrl: config.publicUrl,
    addressKey,
    pause: deps.pause ?? ((ms) => sleep(ms)),
  });
  const serviceLevels = createServiceLevels({ knex: db.knex, audit, clock, minimumGroupSize: config.minimumGroupSize });
  const throttleOptions = { clearExpired: config.env !== 'test', addressKey };
  const feedbackStore = createFeedbackStore(db.knex, clock);
  const routing = createRouting({
    knex: db.knex,
    dialect: db.dialect,
    audit,
    clock,
    outbox,
    emails,
    publicUrl: config.publicUrl,
    source: feedbackStore.source,
    serviceLevels: serviceLevels.service,
    directory: {
      routingFacts: (id, db) => directory.service.routingFacts(id, db),
      complaintsOfficers: (db) => accounts.repository.staffMemberIdsWithRole('complaints', db),
      findStaff: (id, trx) => directory.service.findStaff(id, trx),
      findStaffByEmail: (email, trx) => directory.service.findStaffByEmail(email, trx),
    },
  });
  const complaints = createComplaints({
    knex: db.knex,
    clock,
    audit,
    outbox,
    emails,
    publicUrl: config.publicUrl,
    serviceLevels: serviceLevels.service,
    officerEmails: (trx) => accounts.repository.emailsWithRole('complaints', trx),
    complainantEmail: async (accountId, trx) => (await accounts.repository.findById(accountId, trx))?.email,
    target: async () => (await serviceLevels.service.listServices()).find((s) => s.code === COMPLAINTS_SERVICE)?.target,
    submissions: createAddressThrottle(db, { ...throttleOptions, keyPrefix: 'complaint_submissions', points: COMPLAINTS_PER_HOUR, durationSeconds: 3600 }),
  });
  const workingGroups = createWorkingGroups({
    knex: db.knex,
    audit,
    clock,
    acceptUpload: csrf.acceptUpload,
    // Read at request time: the survey engine is built after the groups it surveys.
    surveysOf: (groupId) => surveys.service.groupSurveys(groupId),
    directory: {
      findStaff: (id, trx) => directory.service.findStaff(id, trx),
      listStaffForPicking: async () => (await directory.service.listStaff({ page: 1, pageSize: 2000 })).items,
    },
    accountIdByEmail: async (email, trx) => {
      const account = await accounts.repository.findByEmail(email, trx);
      return account && account.emailVerifiedAt !== null ? account.id : undefined;
    },
  });
  const surveys = createSurveys({
    knex: db.knex,
    clock,
    audit,
    outbox,
    emails,
    publicUrl: config.publicUrl,
    defaultMinimumGroupSize: config.minimumGroupSize,
    translate: translator.forLocale(DEFAULT_LOCALE),
    acceptUpload: csrf.acceptUpload,
    jobs,
    linkSecret: await keyFor('survey-links'),
    workingGroups: workingGroups.service,
    communityAudience: (trx) => accounts.repository.communityAudience(trx),
    staffMember: (id, trx) => directory.service.findStaff(id, trx),
    peopleManagerOf: async (id, trx) => (await directory.service.routingFacts(id, trx))?.chain[0]?.id,
  });
  await surveys.service.ensureDefaultTemplate();
  const reviewCycles = createReviewCycles({ knex: db.knex, clock, audit });
  const solicitations = createSolicitations({
    knex: db.knex,
    clock,
    audit,
    outbox,
    emails,
    publicUrl: config.publicUrl,
    cycles: reviewCycles.service,
    linkSecret: await keyFor('solicitation-links'),
    minimumGroupSize: config.minimumGroupSize,
    directory: { routingFacts: (id, db) => directory.service.routingFacts(id, db) },
    suggestions: {
      groupMembers: async (staffMemberId) => {
        const members = [];
        for (const { group } of await workingGroups.service.groupsSupportedBy(staffMemberId)) {
          for (const m of await workingGroups.service.members(group.id)) members.push({ email: m.email, displayName: m.displayName, groupName: group.name });
        }
        return members;
      },
      namedSubmitters: (staffMemberId, recipient) => feedbackStore.namedSubmittersAbout(staffMemberId, recipient),
    },
  });
  const reviews = createReviews({
    knex: db.knex,
    dialect: db.dialect,
    clock,
    audit,
    cycles: reviewCycles.service,
    directory: directory.service,
    feedback: feedbackStore.source,
    staffSurveyResults: (staffMemberIds, period) => surveys.service.staffResultsBetween(staffMemberIds, period),
    minimumGroupSize: config.minimumGroupSize,
    exportRetentionMs: config.exportRetentionDays * 86_400_000,
    translate: translator.forLocale(DEFAULT_LOCALE),
  });
  const auditLogViewer = createAuditLogViewer({ knex: db.knex, audit });
  const passport = createPassport(accounts.service);
  const emailRequests = createEmailRequestThrottle(db, throttleOptions);
  const feedback = feedbackStore.create({
    directory: directory.service,
    routing: routing.routing,
    inbox: routing.inbox,
    emails,
    audit,
    publicUrl: config.publicUrl,
    receiptSecret: await keyFor('receipt-codes'),
    anonymousSubmissions: createAddressThrottle(db, { ...throttleOptions, keyPrefix: 'anonymous_feedback', points: ANONYMOUS_FEEDBACK_PER_HOUR, durationSeconds: 3600 }),
    receiptLookups: createAddressThrottle(db, { ...throttleOptions, keyPrefix: 'receipt_lookups', points: RECEIPT_LOOKUP_FAILURES, durationSeconds: 900 }),
    solicitations: solicitations.service,
  });

  const app: Application = express();
  app.disable('x-powered-by');
  // `/Inbox` is not `/inbox`: one spelling per page, so log masks and access rules see the path as routed.
  app.set('case sensitive routing', true);
  app.set('trust proxy', config.trustProxy);
  configureViews(app);

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathWithoutQuery(req.url) }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders({ secure: config.cookieSecure }));
  app.use('/public', express.static(publicDir, { index: false, maxAge: config.env === 'production' ? '1d' : 0 }));
  app.use('/vendor/chart.js', express.static(path.dirname(require.resolve('chart.js')), { index: false }));
  app.use(noStore);
  app.use((req, res, next) => {
    req.locale = translator.pickLocale(req.headers['accept-language']);
    req.t = translator.forLocale(req.locale);
    res.locals.translate = req.t;
    res.locals.lang = req.locale;
    next();
  });

  // Before sessions: health must answer (503) even when the session store cannot.
  app.use(createHealthRoutes({ db, jobs: jobRegistry }));

  // A survey page posts the answers of every page (see surveys/answer-view.ts): long answers in
  // scripts of several bytes a character need more room than other forms.
  app.use('/s', express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 5000 }));
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(express.json({ limit: '200kb' }));
  // Express 5 leaves the body undefined when no parser matched (a text/plain post, say): routes read
  // an empty form instead, and answer with its validation messages rather than a crash.
  app.use((req, _res, next) => {
    req.body ??= {};
    next();
  });
  app.use(cookieParser());
  app.use(createSessionMiddleware({ knex: db.knex, secret, secure: config.cookieSecure, readSession: accounts.service.sessionWithActor }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(csrf.protect);
  app.use(csrf.exposeToken);
  app.use((req, res, next) => {
    res.locals.actor = req.user;
    res.locals.nav = {
      directory: hasAnyRole(req.user, ORGANISATION_ROLES),
      inbox: hasAnyRole(req.user, ['staff', 'manager', 'executive', 'hr', 'complaints']),
      mine: hasAnyRole(req.user, ['member']),
      aboutMe: hasAnyRole(req.user, ['staff']),
      oversight: hasAnyRole(req.user, ['hr', 'complaints']),
      team: hasAnyRole(req.user, ['manager', 'executive']),
      accounts: hasAnyRole(req.user, ['admin']),
      surveys: hasAnyRole(req.user, ['hr', 'admin']),
      staffReports: hasAnyRole(req.user, ['manager', 'executive', 'hr']),
      reviews: hasAnyRole(req.user, ['staff', 'manager', 'executive', 'hr']),
      workingGroups: hasAnyRole(req.user, ['hr', 'admin']),
      audit: hasAnyRole(req.user, ['hr', 'admin']),
    };
    if (req.session.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  });

  app.use(createHomeRoutes());
  app.use(accounts.createRoutes({ emailRequests, cookieSecure: config.cookieSecure }));
  app.use(directory.routes);
  app.use(feedback.routes);
  app.use(routing.routes);
  app.use(serviceLevels.routes);
  app.use(complaints.routes);
  app.use(surveys.routes);
  app.use(reviews.routes);
  app.use(workingGroups.routes);
  app.use(auditLogViewer.routes);
  app.use(reviewCycles.routes);
  app.use(solicitations.routes);
  app.use(createJobRoutes(jobs));

  app.use((_req, _res, next) => next(new NotFoundError()));
  app.use(createErrorHandler(logger));

  assertEveryRouteDeclaresAccess(app);
  const retentionSweep = createRetentionSweep({ knex: db.knex, dialect: db.dialect, clock, logger, expireExports: () => reviews.exports.expireOnce() });
  jobRegistry.register('outbox', config.outboxIntervalMs, outboxSender.runOnce);
  jobRegistry.register('escalation', config.escalationIntervalMs, () => Promise.all([routing.escalation.runOnce(), complaints.service.sweepOverdue()]));
  jobRegistry.register('surveys', config.surveyIntervalMs, () => surveys.service.sweep());
  // Request reminders and erasure are due by the day: the survey sweep's interval is plenty.
  jobRegistry.register('reviews', config.surveyIntervalMs, () => Promise.all([solicitations.service.sweep(), reviews.packets.freezeEndedPopulations()]));
  // Exports, imports and survey invitations: work done in the background, a step at a time.
  jobRegistry.register('background', config.exportIntervalMs, () => Promise.all([reviews.exports.runOnce(), jobs.runOnce()]));
  jobRegistry.register('public-figures', config.publicFiguresIntervalMs, () => serviceLevels.service.refreshPublicFigures());
  jobRegistry.register('trends', config.trendsIntervalMs, () => reviews.trends.refresh());
  jobRegistry.register('retention', config.retentionIntervalMs, retentionSweep.runOnce);
  return { app, jobRegistry, outboxSender, retentionSweep, services: { accounts: accounts.service, directory: directory.service, outbox, feedback: feedback.service, inbox: routing.inbox, routing: routing.routing, serviceLevels: serviceLevels.service, escalation: routing.escalation, complaints: complaints.service, workingGroups: workingGroups.service, surveys: surveys.service, reviewCycles: reviewCycles.service, solicitations: solicitations.service, packets: reviews.packets, trends: reviews.trends, exports: reviews.exports, jobs } };
}

export type AppInstance = Awaited<ReturnType<typeof createApp>>;


