/** The submit load of the cluster and fault runs: browser-like clients sending feedback forms with unique markers. */
import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD } from '../../server/demo/seed';
import type { SubmissionRecord } from './tally';

export const DEMO_MEMBER = 'member@demo.example';
export const ATTRIBUTIONS = ['named', 'named', 'confidential', 'anonymous'] as const;

/** Where a client sends its forms. */
export interface Target {
  readonly name: string;
  readonly url: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const csrfOf = (html: string) => html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';

/**
 * A browser-like client: cookies, CSRF tokens read from forms, a forwarded address of its own (or
 * a new one each request, for many anonymous senders behind one proxy, below the rate limit).
 */
export class Client {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly address: string | (() => string)) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-forwarded-for': typeof this.address === 'string' ? this.address : this.address(),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return { status: res.status, text: await res.text() };
  }

  async signIn(target: Target): Promise<void> {
    const form = await this.request(`${target.url}/sign-in`);
    const res = await this.request(`${target.url}/sign-in`, { method: 'POST', form: { _csrf: csrfOf(form.text), email: DEMO_MEMBER, password: DEMO_PASSWORD } });
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  }
}

export interface SubmitLoad {
  readonly client: Client;
  readonly attribution: string;
  readonly staffIds: readonly number[];
  /** Each form is sent to these in turn until one answers 2xx (a load balancer's retries). */
  readonly sendTo: readonly Target[];
  /** A prefix for the markers, unique to the run. */
  readonly markerPrefix: string;
  readonly until: number;
  readonly records: SubmissionRecord[];
  /** When each 2xx arrived (for the longest wait). */
  readonly answeredAt: number[];
  /** Before sending a form again after a failure. */
  readonly retryPauseMs?: number;
}

/**
 * One client's load: open the form, send it with a unique marker in the comment; when the send
 * fails, send the same form (same submission key) to the next target. Returns one record per form
 * sent, with the last status it got (0 when no answer came).
 */
export async function submitLoad(load: SubmitLoad): Promise<void> {
  const { client, sendTo, records } = load;
  for (let n = 0; Date.now() < load.until; n++) {
    const marker = `${load.markerPrefix}-${records.length}-${randomBytes(3).toString('hex')}`;
    const staff = load.staffIds[n % load.staffIds.length]!;
    let status = 0;
    try {
      const form = await client.request(`${sendTo[0]!.url}/feedback/new?staff=${staff}`);
      const submissionKey = form.text.match(/name="submissionKey" value="([^"]+)"/)?.[1];
      if (form.status !== 200 || !submissionKey) throw new Error(`form answered ${form.status}`);
      const fields = { _csrf: csrfOf(form.text), staffMemberId: String(staff), submissionKey, kind: 'suggestion', attribution: load.attribution, comment: `${marker} A suggestion.` };
      for (const [i, target] of sendTo.entries()) {
        if (i > 0 && load.retryPauseMs) await pause(load.retryPauseMs);
        status = await client.request(`${target.url}/feedback`, { method: 'POST', form: fields }).then((r) => r.status, () => 0);
        if (status >= 200 && status < 300) {
          load.answeredAt.push(Date.now());
          break;
        }
      }
      records.push({ marker, status });
    } catch {
      // The form could not be opened: nothing was sent, nothing is expected.
      await pause(200);
    }
  }
}

/** The longest time without a 2xx answer between `startedAt` and `endedAt`. */
export function longestGap(startedAt: number, answeredAt: readonly number[], endedAt: number): number {
  const times = [startedAt, ...[...answeredAt].sort((a, b) => a - b), endedAt];
  return Math.max(...times.slice(1).map((t, i) => t - times[i]!));
}
