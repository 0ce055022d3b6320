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
