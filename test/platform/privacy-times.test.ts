import { clockStartOf, dayOf, inputTimes, isVisible, measuredFromOf } from '../../server/platform/privacy/times';

describe('the time-privacy presenter', () => {
  const sent = Date.parse('2026-12-02T21:47:23.456Z');

  it('when the input is unattributed, then readers get its day only, due times included; named input and unsealing readers get the minute', () => {
    for (const attribution of ['anonymous', 'confidential'] as const) {
      const times = inputTimes(attribution, { mayUnseal: false });
      expect(times.moment(sent)).toBe('2026-12-02');
      expect(times.due(sent + 86_400_000)).toBe('2026-12-03');
      expect(times.due(null)).toBeNull();
    }
    expect(inputTimes('named', { mayUnseal: false }).moment(sent)).toBe('2026-12-02 21:47 UTC');
    expect(inputTimes('confidential', { mayUnseal: true }).due(sent)).toBe('2026-12-02 21:47 UTC');
  });

  it('when a clock starts for unattributed input, then it starts at the next day, never before the send time; named input starts at once', () => {
    for (const at of [Date.parse('2026-12-02T00:00:00Z'), sent, Date.parse('2026-12-02T23:59:59.999Z')]) {
      expect(clockStartOf('anonymous', at)).toBe(Date.parse('2026-12-03T00:00:00Z'));
      expect(clockStartOf('confidential', at)).toBeGreaterThan(at);
      expect(clockStartOf('named', at)).toBe(at);
    }
  });

  it('when a figure measures unattributed input, then from the start of its day', () => {
    expect(measuredFromOf('anonymous', sent)).toBe(Date.parse('2026-12-02T00:00:00Z'));
    expect(measuredFromOf('named', sent)).toBe(sent);
    expect(dayOf(sent)).toBe('2026-12-02');
  });

  it('when the notification delay has not passed, then nothing is visible', () => {
    expect(isVisible(sent + 1, sent)).toBe(false);
    expect(isVisible(sent, sent)).toBe(true);
  });
});
