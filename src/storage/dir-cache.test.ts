import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirCache } from './dir-cache.js';

describe('DirCache', () => {
  it('forgets a path and everything below it, and nothing else', () => {
    const c = new DirCache();
    const usr = c.add(c.root, 'usr');
    const lib = c.add(usr, 'lib');
    c.add(lib, 'x86');
    c.add(usr, 'bin');
    assert.equal(c.add(c.root, 'usr'), usr, 'add of a known child returns its node');
    c.forget(['usr', 'lib']);
    assert.equal(c.child(usr, 'lib'), undefined);
    assert.ok(c.child(usr, 'bin'));
    // A node forgotten with its parent is not reachable through a new parent either.
    c.forget(['usr']);
    assert.equal(c.child(c.root, 'usr'), undefined);
    assert.equal(c.child(c.add(c.root, 'usr'), 'bin'), undefined);
    c.forget(['no', 'such']);
    c.forget([]);
    assert.equal(c.root.children.size, 0);
  });
});
