import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFileText, resolvConfText } from './attach.js';

test('hosts file names the container on its first address', () => {
  assert.equal(hostsFileText('web', 'web-1', '10.89.0.2'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.89.0.2\tweb web-1\n');
  assert.match(hostsFileText('same', 'same', undefined), /^127\.0\.1\.1\tsame$/m);
});

test('resolv.conf points at each network gateway once, first network first; else the host servers', () => {
  assert.equal(resolvConfText(['10.89.0.1', '10.89.1.1', '10.89.0.1'], 'nameserver 9.9.9.9\n'), 'nameserver 10.89.0.1\nnameserver 10.89.1.1\n');
  assert.equal(resolvConfText([], 'nameserver 9.9.9.9'), 'nameserver 9.9.9.9\n');
});

test("--dns settings: each replaces the host's own kind on the default network; aardvark stays first on others", () => {
  const host = 'search corp\nnameserver 9.9.9.9\noptions rotate\n';
  const dns = (servers: string[], search: string[] = [], options: string[] = []) => ({ servers, search, options });
  assert.equal(resolvConfText([], host, dns(['10.9.9.9'])), 'search corp\nnameserver 10.9.9.9\noptions rotate\n');
  assert.equal(resolvConfText([], host, dns([], ['lab.test'], ['ndots:2'])), 'search lab.test\nnameserver 9.9.9.9\noptions ndots:2\n');
  // "." is Docker's way to say "no search domains at all".
  assert.equal(resolvConfText([], host, dns([], ['.'])), 'nameserver 9.9.9.9\noptions rotate\n');
  assert.equal(resolvConfText(['10.89.0.1'], host, dns(['10.9.9.9', '10.9.9.8', '10.9.9.7'], ['lab.test'])),
    'search lab.test\nnameserver 10.89.0.1\nnameserver 10.9.9.9\nnameserver 10.9.9.8\n');
});
