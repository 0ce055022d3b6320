import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import { formatList } from './list-format.js';

const COLUMNS = { ID: 'CONTAINER ID', Names: 'NAMES', Status: 'STATUS' };
const ROWS = [{ ID: 'abc123', Names: 'web', Status: 'Up 2 seconds' }, { ID: 'def456', Names: 'database', Status: 'Created' }];

test('a template is one line a row, \\t a tab', () => {
  assert.equal(formatList('{{.Names}}', COLUMNS, ROWS, 'container'), 'web\ndatabase\n');
  assert.equal(formatList('{{.ID}}\\t{{.Names}}', COLUMNS, ROWS, 'container'), 'abc123\tweb\ndef456\tdatabase\n');
  assert.equal(formatList('{{json .Names}}', COLUMNS, ROWS, 'container'), '"web"\n"database"\n');
  assert.equal(formatList('{{.Names}}', COLUMNS, [], 'container'), '');
});

test('table: a header of the fields named, the columns aligned', () => {
  assert.equal(
    formatList('table {{.Names}}\\t{{.Status}}', COLUMNS, ROWS, 'container'),
    'NAMES      STATUS\nweb        Up 2 seconds\ndatabase   Created\n',
  );
});

test('a field the listing lacks, or a template berth cannot run, is a user error', () => {
  assert.throws(() => formatList('{{.Nope}}', COLUMNS, ROWS, 'container'),
    (e) => isBerthError(e) && /can't evaluate field Nope in type container/.test(e.message));
  assert.throws(() => formatList('{{range .Names}}x{{end}}', COLUMNS, ROWS, 'container'), (e) => isBerthError(e));
});

test("json is one object a line: Docker's {{json .}} of the row, keys sorted, methods left out", () => {
  const rows = [{ Names: 'web', ID: 'abc', Ports: '0.0.0.0:80->80/tcp', Label: (k: unknown) => String(k) }];
  assert.equal(formatList('json', COLUMNS, rows, 'container'), '{"ID":"abc","Names":"web","Ports":"0.0.0.0:80-\\u003e80/tcp"}\n');
  assert.equal(formatList('json', COLUMNS, [], 'container'), '');
  assert.equal(formatList('{{.Label "x.y"}}', COLUMNS, rows, 'container'), 'x.y\n');
});

test("a table's header comes from the template, .Label's from the key's last part, as Docker's", () => {
  const rows = [{ Names: 'web', Status: 'Up', Label: (k: unknown) => (k === 'com.example.team-name' ? 'blue' : '') }];
  assert.equal(formatList('table {{.Names}}\\t{{.Label "com.example.team-name"}}\\t{{lower .Status}}', COLUMNS, rows, 'container'),
    'NAMES     team name   STATUS\nweb       blue        up\n');
});
