import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTemplate } from './template.js';

test('go-template subset', () => {
  const d = { Id: 'abc', State: { Pid: 42, OOMKilled: false }, Config: { Env: ['A=1'] } };
  assert.equal(formatTemplate('{{.State.Pid}}', d), '42');
  assert.equal(formatTemplate('id={{ .Id }} oom={{.State.OOMKilled}}', d), 'id=abc oom=false');
  assert.equal(formatTemplate('{{json .Config.Env}}', d), '["A=1"]');
  assert.equal(formatTemplate('{{.Nope}}', d), '<no value>');
  assert.throws(() => formatTemplate('{{range .X}}', d));
});
