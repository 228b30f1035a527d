/** A signed-in browser as the benchmark needs one: its cookies and a CSRF token of its session. */
export interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

async function get(url: string, cookies: Map<string, string>, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return { status: res.status, text: await res.text() };
}

const csrfOf = (html: string) => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
};

/** A visitor who is not signed in: the session and CSRF token a first visit to `path` gives. */
export async function visit(baseUrl: string, path: string): Promise<Session> {
  const cookies = new Map<string, string>();
  const page = await get(`${baseUrl}${path}`, cookies);
  return { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfOf(page.text) };
}

/** Signs in through the sign-in form, then reads a fresh token from `formPath` (sign-in starts a new session). */
export async function signIn(baseUrl: string, email: string, password: string, formPath = '/feedback/new'): Promise<Session> {
  const cookies = new Map<string, string>();
  const form = await get(`${baseUrl}/sign-in`, cookies);
  const signedIn = await get(`${baseUrl}/sign-in`, cookies, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, _csrf: csrfOf(form.text) }).toString(),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in as ${email} answered ${signedIn.status}`);
  const page = await get(`${baseUrl}${formPath}`, cookies);
  return { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfOf(page.text) };
}
