// --format as Docker's: `json` is one object a line with Docker's fields on each listing, a Go
// template has Docker's functions and methods (.Label), ps has .Ports, history its fields, and
// inspect -f runs the same templates. The docker CLI through `berth serve` names the fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, jsonLines } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
let api: ApiServer;
before(async () => {
  b = new Berth();
  b.importBusybox();
  b.ok(['network', 'create', '--label', 'team=ops', '--subnet', '10.231.5.0/24', 'fmt-net']);
  b.ok(['volume', 'create', '--label', 'tier=db', 'fmt-vol']);
  b.ok(['run', '-d', '--name', 'fmt-web', '--label', 'app=web', '--label', 'com.example.role=front', '--network', 'fmt-net', '-v', 'fmt-vol:/data', '-p',
    '127.0.0.1:28471:80', '-p', '28472:81', '-p', '28473:82', '-p', '28475:28475', '-p', '28476:28476', 'busybox', 'httpd', '-f', '-p', '80']);
  api = new ApiServer(b);
  await api.start();
});
after(async () => {
  await api.stop();
  b.run(['rm', '-f', 'fmt-web']);
  b.run(['network', 'rm', 'fmt-net']);
  b.destroy();
});

const sorted = (o: object) => Object.keys(o).sort();

function fail(args: string[], re: RegExp): void {
  const r = b.run(args);
  assert.deepEqual([r.status, r.stdout], [125, ''], args.join(' '));
  assert.match(r.stderr.trimEnd(), re);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

test("ps --format json: one object a line, Docker's fields sorted, as Docker's json.Marshal escapes them", () => {
  const text = b.ok(['ps', '--format', 'json']);
  const rows = jsonLines(text);
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.deepEqual(Object.keys(row), sorted(row), 'keys in order');
  assert.deepEqual(sorted(row), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'Limits', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports',
    'RunningFor', 'Size', 'State', 'Status']);
  assert.match(row.ID!, /^[0-9a-f]{12}$/);
  assert.equal(row.Names, 'fmt-web');
  assert.equal(row.Image, 'busybox');
  assert.equal(row.Command, '"httpd -f -p 80"');
  assert.equal(row.State, 'running');
  assert.match(row.Status!, /^Up /);
  assert.match(row.CreatedAt!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  assert.match(row.RunningFor!, / ago$/);
  assert.deepEqual(row.Labels!.split(',').sort(), ['app=web', 'com.example.role=front']);
  assert.equal(row.Networks, 'fmt-net');
  assert.equal(row.Mounts, 'fmt-vol');
  assert.equal(row.LocalVolumes, '1');
  assert.equal(row.Size, '0B');
  assert.equal(row.Ports, '0.0.0.0:28475-28476->28475-28476/tcp, 127.0.0.1:28471->80/tcp, 0.0.0.0:28472->81/tcp, 0.0.0.0:28473->82/tcp');
  assert.ok(text.includes('-\\u003e80/tcp'), 'the arrow is escaped as Docker escapes it');
  assert.equal(jsonLines(b.ok(['ps', '--no-trunc', '--format', 'json']))[0]!.ID!.length, 64);
});

test('ps templates: .Ports, .Label, functions, range, if/else, table headers; an unknown field or function is refused', () => {
  assert.equal(b.ok(['ps', '--format', '{{.Names}} {{.Label "app"}} {{.Label "com.example.role"}} [{{.Label "none"}}]']), 'fmt-web web front []\n');
  assert.equal(b.ok(['ps', '--format', '{{range split .Ports ", "}}{{println .}}{{end}}']).split('\n').filter(Boolean).length, 4);
  assert.equal(
    b.ok(['ps', '--format', '{{if eq .State "running"}}up{{else}}down{{end}} {{upper .Names}} {{json .Names}} {{truncate .Names 3}}|{{pad .Names 1 1}}|']),
    'up FMT-WEB "fmt-web" fmt| fmt-web |\n',
  );
  assert.equal(b.ok(['ps', '--format', '{{join (split .Networks ",") "+"}} {{title "one two"}} {{lower "A"}}']), 'fmt-net One Two a\n');
  const t = b.ok(['ps', '--format', 'table {{.Names}}\\t{{.Label "com.example.role"}}\\t{{.Ports}}']).split('\n');
  assert.match(t[0]!, /^NAMES {3,}role {3,}PORTS$/);
  assert.match(t[1]!, /^fmt-web {3,}front {3,}0\.0\.0\.0:28475-28476->28475-28476\/tcp, /);
  assert.match(b.ok(['ps', '-s', '--format', '{{.Size}}']), /^\d+(\.\d+)?k?B \(virtual \d+(\.\d+)?MB\)\n$/);
  assert.match(b.ok(['ps', '-s']).split('\n')[0]!, / SIZE$/);
  fail(['ps', '--format', '{{.Nope}}'], /^berth: template: can't evaluate field Nope in type container$/);
  fail(['ps', '--format', '{{nosuch .Names}}'], /^berth: template parsing error: function "nosuch" not defined/);
  fail(['ps', '--format', '{{range .Names}}'], /^berth: template parsing error: unexpected EOF/);
  fail(['ps', '--format', '{{range .Names}}x{{end}}'], /^berth: template: range can't iterate over fmt-web$/);
});

test('images, network ls, volume ls, system df: json lines with the fields, and .Label', () => {
  const img = jsonLines(b.ok(['images', '--format', 'json']));
  assert.equal(img.length, 1);
  assert.deepEqual(Object.keys(img[0]!), ['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize',
    'VirtualSize']);
  assert.equal(`${img[0]!.Repository}:${img[0]!.Tag}`, 'localhost/busybox:latest');
  assert.match(img[0]!.ID!, /^[0-9a-f]{12}$/);
  assert.match(jsonLines(b.ok(['images', '--no-trunc', '--format', 'json']))[0]!.ID!, /^sha256:[0-9a-f]{64}$/);
  b.ok(['commit', '-c', 'LABEL tier=cache', 'fmt-web', 'fmt-img:1']);
  try {
    assert.match(b.ok(['images', '--format', '{{.Repository}}:{{.Tag}} [{{.Label "tier"}}]']), /^localhost\/fmt-img:1 \[cache\]$/m);
    assert.match(b.ok(['images', '--format', '{{.Repository}}:{{.Tag}} [{{.Label "tier"}}]']), /^localhost\/busybox:latest \[\]$/m);
  } finally {
    b.ok(['rmi', 'fmt-img:1']);
  }
  const nets = jsonLines(b.ok(['network', 'ls', '--format', 'json']));
  const net = nets.find((n) => n.Name === 'fmt-net')!;
  assert.deepEqual(sorted(net), ['CreatedAt', 'Driver', 'Gateway', 'ID', 'IPv4', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope', 'Subnet']);
  assert.deepEqual([net.Driver, net.Labels, net.Internal, net.Subnet, net.Scope], ['bridge', 'team=ops', 'false', '10.231.5.0/24', 'local']);
  assert.equal(b.ok(['network', 'ls', '--filter', 'name=fmt-net', '--format', '{{.Name}}={{.Label "team"}}']), 'fmt-net=ops\n');
  assert.match(b.ok(['network', 'ls', '--no-trunc', '--filter', 'name=fmt-net', '--format', '{{.ID}}']), /^[0-9a-f]{64}\n$/);
  const vols = jsonLines(b.ok(['volume', 'ls', '--format', 'json']));
  assert.deepEqual(vols.map((v) => Object.keys(v)), [['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status']]);
  assert.deepEqual([vols[0]!.Name, vols[0]!.Labels, vols[0]!.Driver], ['fmt-vol', 'tier=db', 'local']);
  assert.equal(b.ok(['volume', 'ls', '--format', '{{.Name}} {{.Label "tier"}}']), 'fmt-vol db\n');
  assert.match(b.ok(['volume', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}']), /^VOLUME NAME {3,}DRIVER\nfmt-vol {3,}local\n$/);
  const df = jsonLines(b.ok(['system', 'df', '--format', 'json']));
  assert.deepEqual(df.map((l) => l.Type), ['Images', 'Containers', 'Local Volumes', 'Build Cache']);
  assert.deepEqual(Object.keys(df[0]!), ['Active', 'Reclaimable', 'Size', 'TotalCount', 'Type']);
  assert.equal(df[1]!.TotalCount, '1');
});

test('history --format: its fields, json lines, a table with its headers, raw sizes with --human=false', () => {
  const by = b.ok(['history', '--format', '{{.CreatedBy}}', 'busybox']).split('\n').filter(Boolean);
  const table = b.ok(['history', 'busybox']).split('\n').filter(Boolean);
  assert.equal(by.length, table.length - 1, 'one line an entry, no header');
  assert.ok(by.every((l) => !/CREATED BY/.test(l)));
  const rows = jsonLines(b.ok(['history', '--format', 'json', 'busybox']));
  assert.equal(rows.length, by.length);
  assert.deepEqual(Object.keys(rows[0]!), ['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size']);
  assert.match(rows[0]!.ID!, /^[0-9a-f]{12}$/);
  assert.match(rows[0]!.CreatedAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(rows[0]!.Size!, /^[\d.]+[kMG]?B$/);
  assert.match(b.ok(['history', '--format', 'table {{.ID}}\\t{{.Size}}', 'busybox']).split('\n')[0]!, /^IMAGE {3,}SIZE$/);
  assert.ok(b.ok(['history', '--human=false', '--format', '{{.Size}}', 'busybox']).split('\n').filter(Boolean).every((l) => /^\d+$/.test(l)));
  fail(['history', '--format', '{{.Nope}}', 'busybox'], /^berth: template: can't evaluate field Nope in type history$/);
});

test('inspect -f on containers, images, networks and volumes runs the same templates', () => {
  assert.equal(b.ok(['inspect', '-f', '{{.State.Status}}', 'fmt-web']), 'running\n');
  const cfg = JSON.parse(b.ok(['inspect', '--format', '{{json .Config}}', 'fmt-web'])) as { Labels: Record<string, string> };
  assert.equal(cfg.Labels.app, 'web');
  assert.match(b.ok(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'fmt-web']), /^10\.231\.5\.\d+\n$/);
  assert.equal(b.ok(['inspect', '-f', '{{index .Config.Labels "com.example.role"}}', 'fmt-web']), 'front\n');
  assert.equal(b.ok(['container', 'inspect', '-f', '{{if .State.Running}}{{len .Config.Labels}} labels{{end}}', 'fmt-web']), '2 labels\n');
  assert.equal(b.ok(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture | lower}}', 'busybox']),
    `linux/${b.ok(['image', 'inspect', '-f', '{{.Architecture}}', 'busybox']).trim()}\n`);
  assert.equal(b.ok(['network', 'inspect', '-f', '{{index .Labels "team"}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', 'fmt-net']), 'ops 10.231.5.0/24\n');
  assert.equal(b.ok(['volume', 'inspect', '-f', '{{.Labels.tier}} {{.Name}}', 'fmt-vol']), 'db fmt-vol\n');
  fail(['inspect', '-f', '{{range .Mounts}}', 'fmt-web'], /^berth: template parsing error: unexpected EOF/);
  fail(['volume', 'inspect', '-f', '{{nope .Name}}', 'fmt-vol'], /^berth: template parsing error: function "nope" not defined/);
});

test('the docker CLI through berth serve prints the same fields for ps, images, network ls, volume ls and history', () => {
  const keys = (text: string) => jsonLines(text).map((r) => Object.keys(r).join(' '));
  // berth's ps adds Limits, and its network ls Subnet and Gateway; every field of Docker's is there.
  const without = (text: string, extra: string[]) => keys(text).map((k) => k.split(' ').filter((f) => !extra.includes(f)).join(' '));
  assert.deepEqual(without(b.ok(['ps', '--format', 'json']), ['Limits']), keys(api.dockerOk(['ps', '--format', 'json'])));
  assert.deepEqual(keys(b.ok(['images', '--format', 'json'])), keys(api.dockerOk(['images', '--format', 'json'])));
  assert.deepEqual(without(b.ok(['network', 'ls', '--format', 'json']), ['Subnet', 'Gateway']).slice(0, 1),
    keys(api.dockerOk(['network', 'ls', '--format', 'json'])).slice(0, 1));
  assert.deepEqual(keys(b.ok(['volume', 'ls', '--format', 'json'])), keys(api.dockerOk(['volume', 'ls', '--format', 'json'])));
  assert.deepEqual(keys(b.ok(['history', '--format', 'json', 'busybox'])), keys(api.dockerOk(['history', '--format', 'json', 'busybox'])));
  // The texts Docker makes from the same container: its Ports, Mounts and Networks.
  const mine = jsonLines(b.ok(['ps', '--format', 'json']))[0]!;
  const docker = jsonLines(api.dockerOk(['ps', '--format', 'json']))[0]!;
  for (const f of ['ID', 'Names', 'Image', 'Command', 'Ports', 'Mounts', 'LocalVolumes', 'Networks', 'State', 'Size']) assert.equal(mine[f], docker[f], f);
  assert.equal(b.ok(['ps', '--format', '{{.Label "app"}} {{.Ports}}']), api.dockerOk(['ps', '--format', '{{.Label "app"}} {{.Ports}}']));
});
