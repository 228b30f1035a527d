import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import type { Knex } from 'knex';
import { loadConfig } from '../server/config';
import { createDatabase } from '../server/platform/db';

/**
 * The bare baseline: Express 5 on the same database, each route one hand-written parameterised
 * query (or a page query plus its count) over the same rows the app reads. No sessions, templates,
 * logging or checks: the least any Express application could do for the same answer.
 */
const db = createDatabase(loadConfig().database);
const knex = db.knex;
const app = express();
app.use(express.urlencoded({ extended: false }));
const num = (v: unknown) => Number(v) || 0;

// The same row the app stores for a submission, in one INSERT.
app.post('/feedback', async (req, res) => {
  const body = req.body as Record<string, string>;
  const now = Date.now();
  await knex.raw('INSERT INTO feedback_items (reference, staff_member_id, kind, attribution, comment, context, escalation_requested, submission_key_hash, receipt_code_hash, solicited, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    `F-${new Date(now).getUTCFullYear()}-${randomBytes(5).toString('hex').slice(0, 8).toUpperCase()}`,
    num(body.staffMemberId),
    String(body.kind),
    String(body.attribution),
    String(body.comment),
    String(body.context ?? ''),
    false,
    createHash('sha256').update(String(body.submissionKey)).digest('hex'),
    null,
    false,
    now,
  ]);
  res.status(200).send('<p>Thank you</p>');
});

// The same response row the app stores for an answered survey, in one INSERT.
app.post('/survey-response', async (req, res) => {
  const answers = Object.fromEntries(Object.entries(req.body as Record<string, string>).filter(([key]) => key.startsWith('a:')).map(([key, value]) => [key.slice(2), /^\d+$/.test(value) ? Number(value) : value]));
  await knex.raw('INSERT INTO survey_responses (id, survey_id, submitted_on, answers) VALUES (?, ?, ?, ?)', [randomBytes(16).toString('hex'), num(req.query.survey), new Date().toISOString().slice(0, 10), JSON.stringify(answers)]);
  res.redirect(303, '/thank-you');
});

/** Fan-out's least: `rows` rows in one transaction of 500-row INSERTs (the bench removes them afterwards). */
async function insertStream(table: string, rows: number, row: (i: number) => Record<string, unknown>): Promise<void> {
  await knex.transaction(async (trx) => {
    for (let from = 0; from < rows; from += 500) await trx(table).insert(Array.from({ length: Math.min(500, rows - from) }, (_, i) => row(from + i)));
  });
}

app.post('/fanout/invitations', async (req, res) => {
  const survey = num(req.query.survey);
  await insertStream('survey_invitations', num(req.query.rows), (i) => ({ survey_id: survey, token_hash: randomBytes(32).toString('hex'), token_sealed: randomBytes(60).toString('base64url'), email: `invitee${i}@baseline.invalid`, locale: 'en', has_responded: false, reminders_sent: 0 }));
  res.status(204).end();
});

app.post('/fanout/staff', async (req, res) => {
  const now = Date.now();
  const domain = String(req.query.domain);
  await insertStream('staff_members', num(req.query.rows), (i) => ({ email: `baseline.${now}.${i}@${domain}`, name: `Imported Person ${i}`, title: 'Coordinator', department_id: null, manager_id: null, community_facing: false, is_executive: false, created_at: now, updated_at: now }));
  res.status(204).end();
});

app.get('/inbox', async (req, res) => {
  const q = () => {
    const query = knex('routed_items as r').where('r.recipient_staff_member_id', num(req.query.recipient)).andWhere('r.visible_at', '<=', Date.now());
    if (req.query.status) query.andWhere('r.status', String(req.query.status));
    if (req.query.staff) query.andWhere('r.subject_staff_member_id', num(req.query.staff));
    return query;
  };
  const [count] = await q().count({ n: '*' });
  const rows = await q().join('feedback_items as f', 'f.id', 'r.feedback_item_id').join('staff_members as s', 's.id', 'r.subject_staff_member_id')
    .select('r.public_id', 'r.status', 'r.received_at', 'f.reference', 'f.kind', 'f.attribution', 'f.comment', 's.name')
    .orderBy('r.received_at', 'desc').limit(20).offset((Math.max(1, num(req.query.page)) - 1) * 20);
  res.json({ total: count?.n, rows });
});

/** Items, ratings by dimension and kinds of one staff member in one period: what a packet shows. */
app.get('/packet', async (req, res) => {
  const [from, to] = [num(req.query.from), num(req.query.to)];
  const staff = num(req.query.staff);
  const ratings = await knex('feedback_ratings as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('f.staff_member_id', staff).andWhere('f.created_at', '>=', from).andWhere('f.created_at', '<', to)
    .groupBy('r.dimension_id', 'r.score').select('r.dimension_id', 'r.score', knex.raw('count(*) as n'));
  const items = await knex('feedback_items').where('staff_member_id', staff).andWhere('created_at', '>=', from).andWhere('created_at', '<', to).select('reference', 'kind', 'attribution', 'comment').orderBy('created_at');
  res.json({ ratings, items });
});

/** A manager's reports with their item counts in a period: what the packets list shows. */
app.get('/packets', async (req, res) => {
  const rows = await knex('staff_members as s').leftJoin('feedback_items as f', function () {
    this.on('f.staff_member_id', 's.id').andOnVal('f.created_at', '>=', num(req.query.from)).andOnVal('f.created_at', '<', num(req.query.to));
  }).where('s.manager_id', num(req.query.manager)).groupBy('s.id', 's.name').select('s.id', 's.name', knex.raw('count(f.id) as n')).orderBy('s.name');
  res.json(rows);
});

/** The review cycles and which of them hold the reader's reviewed packet: what the reviews index shows. */
app.get('/reviews', async (req, res) => {
  const rows = await knex('review_cycles as c').leftJoin('packet_reviews as p', (on) => on.on('p.cycle_id', 'c.id').andOnVal('p.staff_member_id', num(req.query.staff)))
    .whereNot('c.status', 'planned').select('c.id', 'c.code', 'c.status', 'p.reviewed_at').orderBy('c.starts_on', 'desc');
  res.json(rows);
});

/** Community-facing staff and reviewed packets of a cycle per department and manager: what HR's progress shows. */
app.get('/progress', async (req, res) => {
  const tally = (key: string) => knex('staff_members as s').leftJoin('packet_reviews as p', (on) => on.on('p.staff_member_id', 's.id').andOnVal('p.cycle_id', num(req.query.cycle)))
    .where('s.community_facing', true).groupBy(key).select(key, knex.raw('count(*) as total'), knex.raw('count(p.staff_member_id) as reviewed'));
  res.json({ departments: await tally('s.department_id'), managers: await tally('s.manager_id') });
});

/** Mean rating per department, dimension and period: what HR's trends show. */
app.get('/trends', async (_req, res) => {
  const rows = await knex('feedback_ratings as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').join('staff_members as s', 's.id', 'f.staff_member_id')
    .groupBy('s.department_id', 'r.dimension_id').select('s.department_id', 'r.dimension_id', knex.raw('avg(r.score) as mean'), knex.raw('count(*) as n'));
  res.json(rows);
});

/** Per status, how many items and their mean time to acknowledge: the public service-level figures. */
app.get('/service-levels', async (_req, res) => {
  const rows = await knex('routed_items').groupBy('status').select('status', knex.raw('count(*) as n'), knex.raw('avg(acknowledged_at - received_at) as ack'));
  res.json(rows);
});

app.get('/staff-picker', async (req, res) => {
  const rows = await knex('staff_members').where('community_facing', true).andWhere('name', 'like', `%${String(req.query.q ?? '')}%`).select('id', 'name', 'title').orderBy('name').limit(50);
  res.json(rows);
});

/**
 * A cycle's export rows streamed straight to a file: per staff member and dimension their count and
 * mean (the CSV), and for XLSX also a row per staff member and one per item. Answers how many rows.
 */
app.get('/export', async (req, res) => {
  const [from, to] = [num(req.query.from), num(req.query.to)];
  const inPeriod = (on: Knex.JoinClause) => on.andOnVal('f.created_at', '>=', from).andOnVal('f.created_at', '<', to);
  const queries = [
    knex('staff_members as s').joinRaw('cross join behaviour_dimensions as dim').leftJoin('departments as d', 'd.id', 's.department_id')
      .leftJoin('feedback_items as f', function () { inPeriod(this.on('f.staff_member_id', 's.id')); })
      .leftJoin('feedback_ratings as r', function () { this.on('r.feedback_item_id', 'f.id').andOn('r.dimension_id', 'dim.id'); })
      .where('s.community_facing', true).andWhere('dim.active', true).groupBy('s.id', 's.name', 'd.name', 'dim.id', 'dim.label')
      .select('s.name', 'd.name as department', 'dim.label', knex.raw('count(r.score) as n'), knex.raw('avg(r.score) as mean')),
  ];
  if (req.query.format === 'xlsx') {
    queries.push(
      knex('staff_members as s').leftJoin('departments as d', 'd.id', 's.department_id').leftJoin('feedback_items as f', function () { inPeriod(this.on('f.staff_member_id', 's.id')); })
        .where('s.community_facing', true).groupBy('s.id', 's.name', 'd.name').select('s.name', 'd.name as department', knex.raw('count(f.id) as n')),
      knex('feedback_items as f').join('staff_members as s', 's.id', 'f.staff_member_id').where('s.community_facing', true).andWhere('f.created_at', '>=', from).andWhere('f.created_at', '<', to)
        .select('s.name', 'f.created_at', 'f.kind', 'f.attribution', 'f.comment', 'f.context'),
    );
  }
  const file = path.join(os.tmpdir(), `baseline-export-${process.pid}.csv`);
  let rows = 0;
  const out = fs.createWriteStream(file);
  for (const query of queries) {
    const line = new Transform({
      writableObjectMode: true,
      transform: (row: Record<string, unknown>, _encoding, done) => {
        rows++;
        done(null, `${Object.values(row).map((v) => JSON.stringify(v ?? '')).join(',')}\n`);
      },
    });
    await pipeline(query.stream(), line, out, { end: false });
  }
  await new Promise((resolve) => out.end(resolve));
  fs.rmSync(file);
  res.json({ rows });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`baseline listening on ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => void db.close().then(() => process.exit(0))));
