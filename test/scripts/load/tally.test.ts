import { problemsOf, tally } from '../../../scripts/load/tally';

const DOMAIN = 'accountable.cluster.test';
const base = { endedAt: 1000, messageIdDomain: DOMAIN, afterId: 10 };
const sent = (id: number) => ({ id, status: 'sent', attempts: 0, nextAttemptAt: 0 });
const messageId = (id: number) => `<outbox-${id}@${DOMAIN}>`;

describe('what the cluster and fault runs count', () => {
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

  it('when an e-mail failed during an outage and waits for its retry, then it counts as due and undelivered, not held back', () => {
    const figures = tally({
      ...base,
      submissions: [{ marker: 'a', status: 200 }],
      stored: ['a'],
      // 11 was refused once and its retry is after the end; 12 was never tried and is held back by design.
      mail: [{ id: 11, status: 'pending', attempts: 1, nextAttemptAt: 5000 }, { id: 12, status: 'pending', attempts: 0, nextAttemptAt: 5000 }, { id: 13, status: 'failed', attempts: 1, nextAttemptAt: 0 }],
      received: [],
    });
    expect(figures).toMatchObject({ mailHeldBack: 1, mailRetried: 2, mailNotDelivered: [11, 13] });
    expect(problemsOf(figures)).toEqual(['2 due e-mails were not delivered']);
  });

  it('when a message arrives with another domain or no outbox Message-ID, then it is counted as unknown', () => {
    const figures = tally({ ...base, submissions: [{ marker: 'a', status: 200 }], stored: ['a'], mail: [], received: ['<outbox-11@elsewhere.test>', '(none)'] });
    expect(figures.mailUnknown).toEqual(['<outbox-11@elsewhere.test>', '(none)']);
  });

  it('when nothing was answered with a 2xx, then the run proves nothing and fails', () => {
    expect(problemsOf(tally({ ...base, submissions: [{ marker: 'a', status: 0 }], stored: [], mail: [], received: [] }))).toEqual(['no submission was answered with a 2xx']);
  });
});
