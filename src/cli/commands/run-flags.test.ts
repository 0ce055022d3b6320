import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../args.js';
import { isBerthError } from '../../common/errors.js';
import { parseSecurityOpts, parseTmpfs, RUN_FLAGS, toCreateRequest } from './run-flags.js';

const req = (...argv: string[]) => toCreateRequest(parseArgs([...argv, 'busybox', 'true'], RUN_FLAGS, { stopAtPositional: true, command: 'run' }));
const user125 = (re: RegExp) => (e: unknown) => isBerthError(e) && e.exitCode === 125 && re.test(e.message);

test('no security flag, no security request: records stay as before', () => {
  assert.equal(req().security, undefined);
});

test('security flags gathered as given; names are checked by the engine', () => {
  const r = req('--cap-add', 'net_admin', '--cap-add', 'CAP_SYS_TIME', '--cap-drop', 'ALL', '--privileged', '--group-add', 'wheel', '--group-add', '123',
    '--tmpfs', '/run:size=1m', '--security-opt', 'no-new-privileges', '--security-opt', 'seccomp=unconfined');
  assert.deepEqual(r.security, {
    noNewPrivileges: true,
    seccomp: 'unconfined',
    capAdd: ['net_admin', 'CAP_SYS_TIME'],
    capDrop: ['ALL'],
    groupAdd: ['wheel', '123'],
    tmpfs: [{ destination: '/run', options: ['size=1m'] }],
    privileged: true,
  });
  assert.throws(() => req('--group-add', 'a b'), user125(/invalid --group-add "a b"/));
});

test("--security-opt: Docker's spellings, a profile read as text, the rest refused", () => {
  assert.deepEqual(parseSecurityOpts(['no-new-privileges:true']), { noNewPrivileges: true });
  assert.deepEqual(parseSecurityOpts(['no-new-privileges=false']), { noNewPrivileges: false });
  assert.deepEqual(parseSecurityOpts(['seccomp=/p.json'], (f) => `text of ${f}`), { seccomp: { source: '/p.json', text: 'text of /p.json' } });
  assert.deepEqual(parseSecurityOpts(['apparmor=unconfined', 'label=disable']), {});
  assert.throws(() => parseSecurityOpts(['seccomp=/nonexistent/p.json']), user125(/opening seccomp profile \(\/nonexistent\/p.json\) failed/));
  assert.throws(() => parseSecurityOpts(['no-new-privileges=yes']), user125(/takes true or false/));
  assert.throws(() => parseSecurityOpts(['seccomp']), user125(/invalid --security-opt "seccomp"/));
  assert.throws(() => parseSecurityOpts(['systempaths=unconfined']), user125(/invalid --security-opt/));
});

test('--tmpfs PATH[:OPTIONS]: known options only, absolute paths other than /', () => {
  assert.deepEqual(parseTmpfs('/tmp'), { destination: '/tmp', options: [] });
  assert.deepEqual(parseTmpfs('/run:rw,size=64m,mode=1777,uid=33,exec'), { destination: '/run', options: ['rw', 'size=64m', 'mode=1777', 'uid=33', 'exec'] });
  assert.throws(() => parseTmpfs('run'), user125(/absolute PATH/));
  assert.throws(() => parseTmpfs('/'), user125(/other than \//));
  assert.throws(() => parseTmpfs('/x:size=lots'), user125(/unsupported option "size=lots"/));
  assert.throws(() => parseTmpfs('/x:lowerdir=/etc'), user125(/unsupported option "lowerdir=\/etc"/));
});
