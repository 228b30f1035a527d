import { checkStaffCsv } from '../../../server/features/directory/staff-import';
import { chainAbove, findCycle, membersOfCycles } from '../../../server/features/directory/management-chain';

const HEADER = 'email,name,title,department,manager_email,community_facing,executive';

describe('checking a directory CSV', () => {
  it('when every line is good, then it returns the rows with flags read as booleans', async () => {
    const csv = [HEADER, 'boss@org.test,The Boss,CEO,Executive Office,,yes,yes', 'ann@org.test,Ann,Analyst,Policy,boss@org.test,no,'].join('\n');
    const { rows, problems } = await checkStaffCsv(csv, []);
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.input.email, r.input.managerEmail, r.input.communityFacing, r.input.isExecutive])).toEqual([
      [2, 'boss@org.test', '', true, true],
      [3, 'ann@org.test', 'boss@org.test', false, false],
    ]);
  });

  it('when lines are bad, then each problem is named by its line and column', async () => {
    const csv = [
      HEADER,
      'good@org.test,Good Person,,,,,',
      'not-an-email,Bad Email,,,,,',
      'noname@org.test,,,,,,',
      'flag@org.test,Flag,,,,maybe,',
      'good@org.test,Duplicate,,,,,',
      'orphan@org.test,Orphan,,,missing@org.test,,',
      'self@org.test,Self,,,self@org.test,,',
    ].join('\n');
    const { problems } = await checkStaffCsv(csv, []);
    expect(problems.map((p) => [p.line, p.field, p.messageKey])).toEqual([
      [3, 'email', 'validation.email.invalid'],
      [4, 'name', 'validation.name.required'],
      [5, 'community_facing', 'validation.flag.invalid'],
      [6, 'email', 'directory.import.duplicateEmail'],
      [7, 'manager_email', 'directory.import.unknownManager'],
      [8, 'manager_email', 'directory.import.selfManager'],
    ]);
  });

  it('when the file would close a loop in the chain, then every line in the loop is reported', async () => {
    const csv = [HEADER, 'a@org.test,A,,,b@org.test,,', 'b@org.test,B,,,c@org.test,,', 'c@org.test,C,,,a@org.test,,', 'd@org.test,D,,,a@org.test,,'].join('\n');
    const { problems } = await checkStaffCsv(csv, []);
    expect(problems.map((p) => [p.line, p.field, p.messageKey])).toEqual([
      [2, 'manager_email', 'directory.import.cycle'],
      [3, 'manager_email', 'directory.import.cycle'],
      [4, 'manager_email', 'directory.import.cycle'],
    ]);
  });

  it('when the loop goes through people already in the directory, then it is found too', async () => {
    const existing = [
      { email: 'top@org.test', managerEmail: null },
      { email: 'mid@org.test', managerEmail: 'top@org.test' },
    ];
    const { problems } = await checkStaffCsv([HEADER, 'top@org.test,Top,,,mid@org.test,,'].join('\n'), existing);
    expect(problems.map((p) => [p.line, p.messageKey])).toEqual([[2, 'directory.import.cycle']]);
  });

  it('when a header column is missing or unknown, then line 1 is reported', async () => {
    const { problems } = await checkStaffCsv('email,fullname\nx@org.test,X\n', []);
    expect(problems.map((p) => [p.line, p.field, p.messageKey])).toEqual([
      [1, 'name', 'directory.import.missingColumn'],
      [1, 'fullname', 'directory.import.unknownColumn'],
    ]);
  });

  it('when quotes are broken or a line has the wrong number of cells, then the file is reported unreadable with a line', async () => {
    const { problems } = await checkStaffCsv(`${HEADER}\na@org.test,A,,,,,\nb@org.test,"B,,,,,\n`, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.messageKey).toBe('directory.import.unreadable');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(await checkStaffCsv(`${HEADER}\na@org.test,A\n`, [])).toMatchObject({ problems: [{ messageKey: 'directory.import.unreadable' }] });
  });

  it('when quoted cells contain commas and a BOM starts the file, then they are read as text', async () => {
    const { rows, problems } = await checkStaffCsv(`\uFEFF${HEADER}\r\nq@org.test,"Quoted, Name",,"Policy, Legal",,,\r\n`, []);
    expect(problems).toEqual([]);
    expect(rows[0]!.input).toMatchObject({ name: 'Quoted, Name', department: 'Policy, Legal' });
  });
});

describe('the management chain', () => {
  it('finds a cycle, its members, and the chain above a person', async () => {
    const links = new Map<number, number | null>([
      [1, null],
      [2, 1],
      [3, 2],
      [4, 5],
      [5, 4],
    ]);
    expect(findCycle(links)?.sort()).toEqual([4, 5]);
    expect([...membersOfCycles(links)].sort()).toEqual([4, 5]);
    expect(chainAbove(links, 3)).toEqual([2, 1]);
    expect(findCycle(new Map([[1, null], [2, 1]]))).toBeNull();
  });
});
