import { problemsOf, tally } from '../../../scripts/load/tally';

const DOMAIN = 'accountable.cluster.test';
const base = { endedAt: 1000, messageIdDomain: DOMAIN, afterId: 10 };
const sent = (id: number) => ({ id, status: 'sent', attempts: 0, nextAttemptAt: 0 });
const messageId = (id: number) => `<outbox-${id}@${DOMAIN}>`;

describe('what the cluster run counts', () => {
  it('when every 2xx submission is stored once and every due e-mail arrived once, then nothing is wrong', () => {
    const figures = tally({
      ...base,
      submissions: [
        { marker: 'a', status: 200 },
        { marker: 'b', status: 200 },
        { marker: 'c', status: 500 },
      ],
      // "c" failed to answer but its commit landed: stored, not lost, not a duplicate.
      stored: ['a', 'b', 'c'],
      mail: [sent(11), sent(12), { id: 13, status: 'pending', attempts: 0, nextAttemptAt: 5000 }],
      received: [messageId(5), messageId(11), messageId(12)],
    });
    expect(figures).toMatchObject({ answered2xx: 2, failed: 1, stored: 3, storedWithout2xx: 1, mailHeldBack: 1, mailSent: 2, mailReceived: 2 });
    expect(problemsOf(figures)).toEqual([]);
  });

  it('when a 2xx submission is missing or one is stored twice, then the run fails', () => {
    const figures = tally({ ...base, submissions: [{ marker: 'a', status: 200 }, { marker: 'b', status: 201 }], stored: ['b', 'b'], mail: [], received: [] });
    expect(figures.lost).toEqual(['a']);
    expect(figures.duplicated).toEqual(['b']);
    expect(problemsOf(figures)).toHaveLength(2);
  });

  it('when a due e-mail was not sent, or was sent but never arrived, or arrived twice, then the run fails', () => {
    const figures = tally({
      ...base,
      submissions: [{ marker: 'a', status: 200 }],
      stored: ['a'],
      mail: [{ id: 11, status: 'pending', attempts: 0, nextAttemptAt: 0 }, sent(12), sent(13)],
      received: [messageId(13), messageId(13), `<outbox-99@${DOMAIN}>`],
    });
    expect(figures.mailNotDelivered).toEqual([11, 12]);
    expect(figures.mailDeliveredTwice).toEqual([13]);
    expect(figures.mailUnknown).toEqual([`<outbox-99@${DOMAIN}>`]);
    expect(problemsOf(figures)).toHaveLength(3);
  });

  it('when nothing was answered with a 2xx, then the run proves nothing and fails', () => {
    expect(problemsOf(tally({ ...base, submissions: [{ marker: 'a', status: 0 }], stored: [], mail: [], received: [] }))).toEqual(['no submission was answered with a 2xx']);
  });
});
