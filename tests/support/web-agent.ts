/**
 * A browser over supertest: an agent that signs in through the sign-in form and keeps its cookie,
 * with the session's CSRF token, for the web interface's HTTP tests.
 */
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { expect } from 'vitest';
import type { TestUser } from './fixtures.js';

export type Agent = ReturnType<typeof request.agent>;

/** A browser signed in through the sign-in form, with its session's CSRF token. */
export interface Browser {
  readonly agent: Agent;
  /** The session's CSRF token (from a signed-in page). */
  readonly csrf: string;
  /** The session cookie's token. */
  readonly token: string;
  readonly user: TestUser;
}

export function setCookies(res: Response): string[] {
  const h = res.headers['set-cookie'] as string[] | string | undefined;
  return Array.isArray(h) ? h : h ? [h] : [];
}

/** The Set-Cookie line for `name`, if the response sets it. */
export function setCookie(res: Response, name: string): string | undefined {
  return setCookies(res).find((c) => c.startsWith(`${name}=`));
}

export function cookieValue(line: string): string {
  return decodeURIComponent(line.slice(line.indexOf('=') + 1).split(';')[0]!);
}

/** The value of the first hidden `_csrf` field of a page. */
export function csrfIn(text: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(text);
  if (!m) throw new Error(`no _csrf field in page: ${text.slice(0, 500)}`);
  return m[1]!;
}

export async function signInForm(agent: Agent, next?: string): Promise<string> {
  const res = await agent.get(next === undefined ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`).set('Accept', 'text/html');
  expect(res.status, res.text).toBe(200);
  return csrfIn(res.text);
}

/** Signs `user` in on `app` through the form (as `identifier`, their name by default). */
export async function browse(app: Express, user: TestUser, identifier = user.actor.name): Promise<Browser> {
  const agent = request.agent(app);
  const token = await signInForm(agent);
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: token, identifier, password: user.password ?? '', next: '/' });
  expect(res.status, res.text).toBe(303);
  const line = setCookie(res, 'puente_session');
  expect(line).toBeDefined();
  const page = await agent.get(user.actor.role === 'admin' ? '/users' : '/').set('Accept', 'text/html');
  expect(page.status, page.text).toBe(200);
  return { agent, csrf: csrfIn(page.text), token: cookieValue(line!), user };
}
