import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import { compileTemplate, formatTemplate, struct } from './template.js';

const doc = {
  Id: 'abc',
  State: { Status: 'running', Pid: 42, OOMKilled: false, Health: null },
  Config: { Env: ['A=1', 'B=2'], Labels: { 'com.example.team': 'web', tier: 'front' }, Cmd: ['sleep', '100'] },
  NetworkSettings: { Networks: { front: { IPAddress: '10.1.0.2' }, back: { IPAddress: '10.2.0.2' } } },
};
const run = (tpl: string, data: unknown = doc) => formatTemplate(tpl, data);
const userError = (tpl: string, re: RegExp, data: unknown = doc) => assert.throws(() => run(tpl, data), (e) => isBerthError(e) && re.test(e.message), tpl);

test('fields, nested fields, and values printed as Go prints them', () => {
  assert.equal(run('{{.State.Status}}'), 'running');
  assert.equal(run('id={{ .Id }} oom={{.State.OOMKilled}} pid={{.State.Pid}}'), 'id=abc oom=false pid=42');
  assert.equal(run('{{.Config.Env}}'), '[A=1 B=2]');
  assert.equal(run('{{.Config.Labels}}'), 'map[com.example.team:web tier:front]');
  assert.equal(run('{{.Nope}} {{.Nope.Deeper}}'), '<no value> <no value>');
  assert.equal(run('{{.State.Health}}'), '<nil>');
});

test('json: compact, HTML left alone for documents; a row is sorted and escaped as Docker marshals it', () => {
  assert.equal(run('{{json .Config.Env}}'), '["A=1","B=2"]');
  assert.equal(run('{{json .Config}}'), JSON.stringify(doc.Config));
  assert.equal(run('{{json .Nope}}'), 'null');
  assert.equal(run('{{json .}}', { a: '<b>' }), '{"a":"<b>"}');
  const row = struct('container', { Names: 'web', Ports: '0.0.0.0:80->80/tcp', ID: 'abc', Label: (k: string) => k });
  assert.equal(run('{{json .}}', row), '{"ID":"abc","Names":"web","Ports":"0.0.0.0:80-\\u003e80/tcp"}');
});

test('index, range over lists and maps, variables, break and continue', () => {
  assert.equal(run('{{index .Config.Labels "tier"}}'), 'front');
  assert.equal(run('{{index .Config.Env 1}}'), 'B=2');
  assert.equal(run('{{index .Config.Labels "none"}}'), '<no value>');
  assert.equal(run('{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'), '10.2.0.2 10.1.0.2 ');
  assert.equal(run('{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}};{{end}}'), 'back=10.2.0.2;front=10.1.0.2;');
  assert.equal(run('{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}'), '0:A=1 1:B=2 ');
  assert.equal(run('{{range .Config.Nothing}}x{{else}}none{{end}}'), 'none');
  assert.equal(run('{{range .Config.Env}}{{if eq . "B=2"}}{{break}}{{end}}[{{.}}]{{end}}'), '[A=1]');
  assert.equal(run('{{range .Config.Env}}{{if eq . "A=1"}}{{continue}}{{end}}[{{.}}]{{end}}'), '[B=2]');
  assert.equal(run('{{$id := .Id}}{{range .Config.Env}}{{$id}}/{{.}} {{end}}'), 'abc/A=1 abc/B=2 ');
  assert.equal(run('{{range .Config.Env}}{{$.Id}}{{end}}'), 'abcabc');
  assert.equal(run('{{(index .Config.Env 0)}} {{(index .NetworkSettings.Networks "front").IPAddress}}'), 'A=1 10.1.0.2');
});

test('if, else if, else, with, and the comparisons', () => {
  assert.equal(run('{{if .State.OOMKilled}}oom{{else}}fine{{end}}'), 'fine');
  assert.equal(run('{{if eq .State.Status "exited"}}E{{else if eq .State.Status "running"}}R{{else}}?{{end}}'), 'R');
  assert.equal(run('{{with .State}}{{.Pid}}{{end}}|{{with .Nope}}x{{else}}empty{{end}}'), '42|empty');
  assert.equal(run('{{if and (gt .State.Pid 1) (not .State.OOMKilled)}}yes{{end}}'), 'yes');
  assert.equal(run('{{if or .Nope .Id}}{{len .Config.Env}}{{end}}'), '2');
  assert.equal(run('{{if ne .Id "x"}}{{lt 1 2}} {{le 2 2}} {{ge 1 2}}{{end}}'), 'true true false');
});

test("Docker's functions: join, split, lower, upper, title, pad, truncate, println, and printf", () => {
  assert.equal(run('{{join .Config.Cmd " "}}'), 'sleep 100');
  assert.equal(run('{{split "a,b,c" ","}}'), '[a b c]');
  assert.equal(run('{{index (split "a,b,c" ",") 2}}'), 'c');
  assert.equal(run('{{lower "ABC"}} {{upper .State.Status}} {{title "hello big world"}}'), 'abc RUNNING Hello Big World');
  assert.equal(run('[{{pad .Id 2 1}}] [{{pad "" 2 1}}]'), '[  abc ] []');
  assert.equal(run('{{truncate "abcdef" 3}} {{truncate "ab" 3}}'), 'abc ab');
  assert.equal(run('{{println .Id 1}}'), 'abc 1\n');
  assert.equal(run('{{printf "%s-%d-%5s|%-4s|" .Id .State.Pid "x" "y"}}'), 'abc-42-    x|y   |');
  assert.equal(run('{{.State.Status | upper | printf "<%s>"}}'), '<RUNNING>');
  assert.equal(run('{{print "a" "b" 1 2}}'), 'ab1 2');
});

test('text around actions, trim markers and comments', () => {
  assert.equal(run('a {{- .Id -}} b'), 'aabcb');
  assert.equal(run('x{{/* a comment */}}y'), 'xy');
  assert.equal(run('{{"}}"}}'), '}}');
  assert.equal(run('{{`raw "q"`}}'), 'raw "q"');
});

test('a row is a struct: a field it lacks is an error, a method takes arguments', () => {
  const row = struct('container', { Names: 'web', Labels: 'a=1', Label: (k: string) => ({ a: '1' } as Record<string, string>)[k] ?? '' });
  assert.equal(run('{{.Names}} {{.Label "a"}} [{{.Label "b"}}]', row), 'web 1 []');
  userError('{{.Nope}}', /^template: can't evaluate field Nope in type container$/, row);
  userError('{{.Names "x"}}', /Names is not a method but has arguments/, row);
});

test('what Go would refuse is one user error', () => {
  userError('{{nosuch .Id}}', /function "nosuch" not defined/);
  userError('{{range .Config.Env}}', /unexpected EOF/);
  userError('{{end}}', /unexpected \{\{end\}\}/);
  userError('{{.Id', /unclosed action/);
  userError('{{define "x"}}{{end}}', /not supported/);
  userError('{{break}}', /outside \{\{range\}\}/);
  userError('{{index .Config.Env 5}}', /index out of range/);
  userError('{{lower 3}}', /expected string; got int/);
  userError('{{range .Id}}x{{end}}', /range can't iterate over abc/);
  userError('{{$nope}}', /undefined variable: \$nope/);
});

test("a table header runs the template with Docker's header functions", () => {
  const t = compileTemplate('{{.Names}}\t{{upper .Status}}\t{{json .ID}}');
  assert.equal(t.header({ Names: 'NAMES', Status: 'STATUS', ID: 'CONTAINER ID' }), 'NAMES\tSTATUS\tCONTAINER ID');
});
