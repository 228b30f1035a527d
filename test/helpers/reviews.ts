import { csrfTokenFrom, postForm, type Agent } from './app';

/** Creates a review cycle through HR's form (period from the code, a January review window); returns its id. */
export async function createCycle(hr: Agent, fields: Record<string, string> = {}): Promise<number> {
  const res = await postForm(hr, '/reviews/cycles/new', '/reviews/cycles', {
    code: '2026-H2',
    startsOn: '',
    endsOn: '',
    reviewOpensOn: '2027-01-01',
    reviewClosesOn: '2027-01-31',
    guidance: 'Ask a balanced set of community members.',
    ...fields,
  });
  if (res.status !== 303) throw new Error(`creating the cycle failed with ${res.status}: ${res.text.match(/class="error"[^>]*>([^<]+)/g)?.join(' ')}`);
  return Number(res.headers.location!.split('/').pop());
}

export async function openCycle(hr: Agent, cycleId: number): Promise<void> {
  const res = await postForm(hr, `/reviews/cycles/${cycleId}`, `/reviews/cycles/${cycleId}/open`, {});
  if (res.status !== 303) throw new Error(`opening the cycle failed with ${res.status}`);
}

export const solicitPath = (cycleId: number, staffMemberId: number) => `/reviews/cycles/${cycleId}/staff/${staffMemberId}/solicit`;

/** Opens a request link (a path) and sends the feedback form it shows; returns the response and a resend. */
export async function answerRequest(agent: Agent, linkPath: string, fields: Record<string, string>) {
  const form = await agent.get(linkPath);
  if (form.status !== 200) throw new Error(`the request link answered ${form.status}`);
  const value = (name: string) => form.text.match(new RegExp(`name="${name}" value="([^"]+)"`))?.[1] ?? '';
  const body = { _csrf: csrfTokenFrom(form.text), staffMemberId: value('staffMemberId'), submissionKey: value('submissionKey'), solicitation: value('solicitation'), kind: 'suggestion', comment: 'A comment.', ...fields };
  const send = (extra: Record<string, string> = {}) => agent.post('/feedback').type('form').send({ ...body, ...extra });
  return { form, res: await send(), send };
}
