import { PACKET_BATCH, type InputPacket } from '../../../server/features/reviews/packets.service';
import type { Actor } from '../../../server/platform/auth/roles';
import { agentFor, deliverAll, manualClock, useTestApp } from '../../helpers/app';
import { statementsOf } from '../../helpers/queries';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import { closeSurvey, openSurvey, postAnswers, saveTemplate, SUBMIT_GENERAL_ANSWERS, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';
import { factories } from '../../factories';

describe('every input packet of a cycle built at once', () => {
  const clock = manualClock(Date.parse('2026-02-01T10:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;
  const at = (iso: string) => clock.advance(Date.parse(iso) - clock.now());
  let org: Awaited<ReturnType<typeof reviewOrganisation>>;
  let hr: Actor;
  let h1: number;
  let h2: number;
  let listeningId: number;
  const listening = (p: InputPacket) => p.dimensions.find((d) => d.dimensionId === listeningId)!;

  /** Every packet of the cycle built at once, and each staff member's packet built alone: the same; and so are the figures walked alone. */
  async function expectSamePackets(cycleId: number, exceptStaffMemberId: number | null): Promise<InputPacket[]> {
    const all: InputPacket[] = [];
    for await (const packet of context.app.services.packets.cycleRows(cycleId, exceptStaffMemberId)) all.push(packet);
    // Built alone whole, as its PDF reads it (the page shows a page of its comments, see packet-comment-pages.test.ts).
    for (const packet of all) expect(packet).toEqual(await context.app.services.packets.packet(hr, cycleId, packet.staff.id, 'pdf'));
    // The figures alone (the CSV export's walk): the same as the packets', without reading an item.
    const { result: figures, statements } = await statementsOf(knex(), async () => {
      const rows = [];
      for await (const row of context.app.services.packets.cycleDimensionRows(cycleId, exceptStaffMemberId)) rows.push(row);
      return rows;
    });
    expect(figures).toEqual(all.map((p) => ({ cycle: p.cycle, previousCycle: p.previousCycle, staff: p.staff, dimensions: p.dimensions })));
    expect(statements.filter((sql) => sql.includes('feedback_items') && !/group by/i.test(sql))).toEqual([]);
    return all;
  }

  beforeAll(async () => {
    org = await reviewOrganisation(knex());
    hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    listeningId = Number((await knex()('behaviour_dimensions').where({ code: 'listening' }).first('id')).id);
    h1 = await reviewCycle(knex(), '2026-H1', { status: 'closed' });
    h2 = await reviewCycle(knex(), '2026-H2');
    const member = (await context.app.services.accounts.findActor(org.member.id))!;
    // Policy: S1 six ratings, S2 two (too few, so S1's figure would tell them apart: withheld too);
    // Engagement: five each; Legal: S5 alone. One named item each; the rest anonymous.
    const counts = { s1: 6, s2: 2, s3: 5, s4: 5, s5: 7 } as const;
    for (const [half, start] of [['H1', '2026-03-02T10:00:00Z'], ['H2', '2026-09-01T10:00:00Z']] as const) {
      at(start);
      for (const [key, n] of Object.entries(counts) as Array<[keyof typeof counts, number]>) {
        for (let i = 0; i < n + (half === 'H2' ? 1 : 0); i++) {
          clock.advance(60_000);
          await giveFeedback(context.app, knex(), org[key].staffMemberId, { ratings: { listening: 1 + ((i * 3) % 5), ...(i % 2 ? { consensus: 4 } : {}) }, kind: (['appreciation', 'suggestion', 'concern'] as const)[i % 3], comment: `${half} ${key} item ${i} about agendas and drafts`, ...(i === 0 ? { member } : {}) });
        }
      }
    }
    // A working-group assessment closing in H2 with blocks about S1 and S3.
    const make = factories(knex());
    const group = await make.workingGroup({ name: 'Transfer Policy PDP' });
    const members = await Promise.all(Array.from({ length: 6 }, () => make.groupMember(group.id)));
    await make.supportStaff(group.id, org.s1.staffMemberId);
    await make.supportStaff(group.id, org.s3.staffMemberId);
    at('2026-10-01T09:00:00Z');
    const admin = await surveyAdmin(context.app, knex());
    const surveyId = await openSurvey(admin, { title: 'Transfer PDP assessment', templateId: String(await saveTemplate(admin, TEST_DEFINITION)), audience: 'working_group', workingGroupId: String(group.id), opensOn: '2026-10-01', closesOn: '2026-10-20' });
    await deliverAll(context.app);
    const links = surveyLinks(context.smtp, 'Your assessment: Transfer PDP assessment');
    for (const [i, m] of members.entries()) {
      const res = await postAnswers(agentFor(context.app), links.get(m.email)!, { ...SUBMIT_GENERAL_ANSWERS, [`a:staff.${org.s1.staffMemberId}.support`]: String(1 + (i % 5)), [`a:staff.${org.s3.staffMemberId}.support`]: i < 3 ? '5' : 'na' });
      expect(res.status).toBe(303);
    }
    await closeSurvey(admin, surveyId);
  });

  it('when H2 still runs, then the packets built at once equal those built one by one: H2 withholds every figure, H1 shows its own', async () => {
    at('2026-11-02T10:00:00Z');
    const running = await expectSamePackets(h2, null);
    // The five staff, their two managers and the executive.
    expect(running).toHaveLength(8);
    expect(running.every((p) => !p.final && p.dimensions.every((d) => d.current.suppressed && d.current.reason === 'not_final'))).toBe(true);
    const s1 = running.find((p) => p.staff.id === org.s1.staffMemberId)!;
    expect(s1.surveys.map((s) => s.title)).toEqual(['Transfer PDP assessment']);
    const closed = await expectSamePackets(h1, null);
    expect(listening(closed.find((p) => p.staff.id === org.s3.staffMemberId)!).current).toMatchObject({ suppressed: false, count: 5 });
  });

  it('when H2 is over, flagged and reviewed, then every packet (suppression, previous cycle, survey blocks, names, flags, handling) equals its own build, and the requester\'s own is left out', async () => {
    at('2026-12-15T10:00:00Z');
    const m1 = (await context.app.services.accounts.findActor(org.m1.id))!;
    const s1Alone = await context.app.services.packets.packet(m1, h2, org.s1.staffMemberId);
    await context.app.services.packets.flag(m1, h2, org.s1.staffMemberId, s1Alone.comments[0]!.reference, 'Follow up with the team');
    await context.app.services.packets.markReviewed(m1, h2, org.s2.staffMemberId, 'Discussed.');
    at('2027-01-05T10:00:00Z');
    const all = await expectSamePackets(h2, null);
    const of = (key: 's1' | 's2' | 's3' | 's5') => all.find((p) => p.staff.id === org[key].staffMemberId)!;
    expect(listening(of('s2')).current).toMatchObject({ suppressed: true, reason: 'too_few' });
    expect(listening(of('s1')).current).toMatchObject({ suppressed: true, reason: 'complement_too_few' });
    expect(listening(of('s5')).current).toMatchObject({ suppressed: false, count: 8 });
    expect(listening(of('s5')).previous).toMatchObject({ suppressed: false, count: 7 });
    expect(of('s1').comments.filter((c) => c.flag === 'Follow up with the team')).toHaveLength(1);
    expect(of('s1').comments.filter((c) => c.submitterName === 'Named Member')).toHaveLength(1);
    expect(of('s2').review).toMatchObject({ notes: 'Discussed.' });
    expect(of('s3').surveys).toHaveLength(1);
    expect(of('s3').handling).toMatchObject({ suppressed: false, items: 6 });
    const withoutS1 = await expectSamePackets(h2, org.s1.staffMemberId);
    expect(withoutS1.map((p) => p.staff.id)).toEqual(all.map((p) => p.staff.id).filter((id) => id !== org.s1.staffMemberId));
  });
});

describe('the statements every packet of a cycle runs', () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when the cycle has more staff, in more departments and batches, then the statements grow with the departments and batches, not the packets, and each reads one batch\'s rows at most', async () => {
    const org = await reviewOrganisation(knex());
    const cycleId = await reviewCycle(knex(), '2026-H1', { status: 'closed' });
    const make = factories(knex());
    const department = await make.department('Operations');
    const build = async () => {
      clock.advance(Date.parse('2026-08-01T10:00:00Z') - clock.now());
      const { result, statements, bindings } = await statementsOf(knex(), async () => {
        const packets: InputPacket[] = [];
        for await (const packet of context.app.services.packets.cycleRows(cycleId, null)) packets.push(packet);
        return packets;
      });
      // No statement reads rows of more than one batch of staff members (the counts are grouped).
      for (const [i, sql] of statements.entries()) {
        if (!/feedback_ratings|routed_items|feedback_items/.test(sql) || /group by/i.test(sql)) continue;
        expect(bindings[i]!.length).toBeLessThanOrEqual(PACKET_BATCH + 20);
      }
      return { packets: result.length, statements: statements.length };
    };
    // Staff joined after the period's population was frozen: all of them in one part (no department).
    const addStaff = async (n: number) => {
      clock.advance(Date.parse('2026-03-02T10:00:00Z') - clock.now());
      for (let i = 0; i < n; i++) {
        const staff = await make.staff({ departmentId: department.id, managerId: org.m2.staffMemberId });
        clock.advance(60_000);
        await giveFeedback(context.app, knex(), staff.id, { ratings: { listening: 3 }, comment: `About ${staff.name}` });
      }
    };
    // The first build freezes the period's population; count from the second on.
    await build();
    const few = await build();
    await addStaff(5);
    const newPart = await build();
    await addStaff(5);
    const samePart = await build();
    await addStaff(PACKET_BATCH);
    const twoBatches = await build();
    await addStaff(2 * PACKET_BATCH);
    const fourBatches = await build();
    expect([few.packets, newPart.packets, samePart.packets, twoBatches.packets, fourBatches.packets]).toEqual([8, 13, 18, 18 + PACKET_BATCH, 18 + 3 * PACKET_BATCH]);
    // More packets in a part and batch already there: the same statements; each further batch adds the same few more.
    expect(newPart.statements).toBe(few.statements);
    expect(samePart.statements).toBe(newPart.statements);
    const perBatch = twoBatches.statements - samePart.statements;
    expect(fourBatches.statements - twoBatches.statements).toBe(2 * perBatch);
    expect(perBatch).toBeLessThanOrEqual(12);
    // The figures alone walk them in one batch: told of progress once, and no more statements than one packet batch.
    const progress: number[] = [];
    const figures = await statementsOf(knex(), async () => {
      for await (const row of context.app.services.packets.cycleDimensionRows(cycleId, null, async (done) => void progress.push(done))) void row;
    });
    // One batch of figures per part (each smaller than FIGURES_BATCH): the departments and those without one.
    const departments = await knex()('cycle_population_members').where({ cycle_id: cycleId }).whereNotNull('department_id').distinct('department_id').pluck('department_id');
    expect(progress.at(-1)).toBe(18 + 3 * PACKET_BATCH);
    expect(progress.length).toBeLessThanOrEqual(departments.length + 1);
    expect(figures.statements.length).toBeLessThan(twoBatches.statements);
  });
});
