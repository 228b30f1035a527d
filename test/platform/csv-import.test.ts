import { readCsv } from '../../server/platform/csv-import';

describe('reading an uploaded CSV', () => {
  it('when a large file is read, then other work runs between its slices, and every record comes back with its line', async () => {
    const csv = ['email,name', ...Array.from({ length: 20_000 }, (_, i) => `person${i}@org.test,Person ${i}`)].join('\n');
    let turns = 0;
    let reading = true;
    const other = () => {
      if (!reading) return;
      turns++;
      setImmediate(other);
    };
    setImmediate(other);
    const read = await readCsv(csv);
    reading = false;
    // About 600 kB in 32 kB slices: others had a turn between every two.
    expect(turns).toBeGreaterThanOrEqual(15);
    if ('unreadableAt' in read) throw new Error('unreadable');
    expect(read.header).toEqual(['email', 'name']);
    expect(read.records).toHaveLength(20_000);
    expect(read.records.at(-1)).toEqual({ record: { email: 'person19999@org.test', name: 'Person 19999' }, line: 20_001 });
  });

  it('when a character falls across two slices, then it is read whole', async () => {
    // Two-byte characters from an odd and an even offset: one of them straddles every slice boundary.
    for (const name of ['é'.repeat(40_000), `x${'é'.repeat(40_000)}`]) {
      const read = await readCsv(`email,name\na@org.test,${name}\n`);
      expect('unreadableAt' in read ? read : read.records[0]!.record.name).toBe(name);
    }
  });

  it('when a file breaks off inside a quoted value, then the line where reading stopped comes back', async () => {
    const read = await readCsv('email,name\na@org.test,A\nb@org.test,"B\n');
    expect(read).toEqual({ unreadableAt: 3 });
  });
});
