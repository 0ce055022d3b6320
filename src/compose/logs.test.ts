import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorPrefix } from './logs.js';

test("prefixes take Compose's rainbow in turn: five colours, their intense forms, then round again", () => {
  assert.equal(colorPrefix('web-1 | ', 0), '\x1b[36mweb-1 | \x1b[0m');
  assert.equal(colorPrefix('web-2 | ', 1), '\x1b[33mweb-2 | \x1b[0m');
  assert.equal(colorPrefix('db-1  | ', 5), '\x1b[36;1mdb-1  | \x1b[0m');
  assert.equal(colorPrefix('x-1 | ', 10), colorPrefix('x-1 | ', 0));
});
