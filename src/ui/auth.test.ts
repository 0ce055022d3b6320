import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gate, originsFor, readCookie } from './auth.js';

const ORIGINS = originsFor('http', '127.0.0.1', 9191, true);

test('the login token works once, and only the right one', () => {
  const g = new Gate(ORIGINS, false, 'tok');
  assert.equal(g.login('nope'), undefined);
  const s = g.login('tok');
  assert.ok(s);
  assert.equal(g.login('tok'), undefined, 'a spent token opens nothing');
  assert.match(g.setCookie(s), /^berth_ui_9191=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
});

test('a session is found by its cookie among others', () => {
  const g = new Gate(ORIGINS, true, 'tok');
  const s = g.login('tok')!;
  assert.match(g.setCookie(s), /; Secure$/);
  assert.equal(g.session(`x=1; berth_ui_9191=${s.id}; y=2`), s);
  assert.equal(g.session(`berth_ui_9191=${'f'.repeat(64)}`), undefined, 'an id we did not hand out');
  assert.equal(g.session(`berth_ui_9192=${s.id}`), undefined, "another dashboard's cookie");
  assert.equal(g.session(undefined), undefined);
  assert.equal(g.session('other=1'), undefined);
});

test('changing requests need our Origin and the CSRF token', () => {
  const g = new Gate(ORIGINS, false, 'tok');
  const s = g.login('tok')!;
  assert.equal(g.csrfProblem(s, 'http://127.0.0.1:9191', s.csrf), undefined);
  assert.equal(g.csrfProblem(s, 'http://localhost:9191', s.csrf), undefined);
  assert.match(g.csrfProblem(s, 'http://evil.example', s.csrf)!, /cross-origin/);
  assert.match(g.csrfProblem(s, undefined, s.csrf)!, /Origin missing/);
  assert.match(g.csrfProblem(s, 'http://127.0.0.1:9191', 'x')!, /CSRF/);
  assert.match(g.csrfProblem(s, 'http://127.0.0.1:9191', undefined)!, /CSRF/);
});

test('Host must be one we serve under', () => {
  const g = new Gate(ORIGINS, false);
  assert.ok(g.hostAllowed('127.0.0.1:9191'));
  assert.ok(g.hostAllowed('localhost:9191'));
  assert.ok(!g.hostAllowed('attacker.example:9191'));
  assert.ok(!g.hostAllowed(undefined));
  assert.deepEqual(originsFor('https', '::1', 1, true), ['https://[::1]:1', 'https://localhost:1']);
  assert.deepEqual(originsFor('https', '10.0.0.1', 1, false), ['https://10.0.0.1:1']);
});

test('readCookie', () => {
  assert.equal(readCookie('a=1;  b = 2 ', 'b'), '2');
  assert.equal(readCookie('ab=1', 'b'), undefined);
});
