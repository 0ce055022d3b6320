import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../args.js';
import { isBerthError } from '../../common/errors.js';
import { RUN_FLAGS, toCreateRequest } from './run-flags.js';
import { resourceFlags } from './run-resource-flags.js';
import { attachStreams } from './run-extra-flags.js';
import { checkDns, checkOomScoreAdj, checkResources, clampShares, parseLogOpts } from '../../engine/index.js';
import { emptyResources } from '../../engine/index.js';

const parse = (argv: string[]) => toCreateRequest(parseArgs([...argv, 'busybox'], RUN_FLAGS, { command: 'run' }));
const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e) => isBerthError(e) && e.kind === 'InvalidArgument' && re.test(e.message));
const anyHost = { blkioWeight: true, oomScoreAdj: 0, capSysResource: true };

test('resource and dns flags land in the request; 0 is Docker\'s "not set"', () => {
  const r = parse(['--memory-swap', '-1', '--memory-reservation', '32m', '-c', '512', '--cpu-period', '50000', '--cpu-quota', '0', '--blkio-weight', '0',
    '--oom-score-adj', '-5', '--dns', '10.0.0.1', '--dns-search', 'x.test', '--dns-option', 'ndots:1']);
  assert.equal(r.resources.memorySwap, -1);
  assert.equal(r.resources.memoryReservation, 32 << 20);
  assert.equal(r.resources.cpuShares, 512);
  assert.equal(r.resources.cpuPeriod, 50000);
  assert.equal(r.resources.cpuQuota, undefined);
  assert.equal(r.resources.blkioWeight, undefined);
  assert.equal(r.oomScoreAdj, -5);
  assert.deepEqual(r.dns, { servers: ['10.0.0.1'], search: ['x.test'], options: ['ndots:1'] });
  assert.equal(parse([]).dns, undefined);
});

test("numbers are Docker's client errors", () => {
  const v = (k: string, x: string) => resourceFlags({ [k]: x });
  refused(() => v('cpu-shares', '1.5'), /invalid argument "1.5" for "--cpu-shares" flag/);
  refused(() => v('blkio-weight', '-1'), /--blkio-weight/);
  refused(() => v('memory-swap', 'lots'), /--memory-swap/);
  assert.deepEqual(v('cpu-quota', '-1'), { cpuQuota: -1 });
});

test("the engine's ranges, in Docker's words", () => {
  const r = (over: object) => ({ ...emptyResources(), ...over });
  assert.doesNotThrow(() => checkResources(r({ memory: 64 << 20, memorySwap: 64 << 20, memoryReservation: 64 << 20 }), anyHost));
  assert.doesNotThrow(() => checkResources(r({ memorySwap: -1, cpuQuota: -1, cpuPeriod: 1000 }), anyHost));
  refused(() => checkResources(r({ memorySwap: 1 << 30 }), anyHost), /Memory limit when using Memoryswap/);
  refused(() => checkResources(r({ cpus: 1, cpuPeriod: 10000 }), anyHost), /Nano CPUs and CPU Period/);
  refused(() => checkResources(r({ cpuPeriod: 1_000_001 }), anyHost), /larger than 1s/);
  refused(() => checkResources(r({ blkioWeight: 1001 }), anyHost), /from 10 to 1000/);
  refused(() => checkResources(r({ blkioWeight: 500 }), { ...anyHost, blkioWeight: false }), /does not support Block I\/O weight/);
  assert.equal(clampShares(r({ cpuShares: 1 })).cpuShares, 2);
  assert.equal(clampShares(r({ cpuShares: 1 << 20 })).cpuShares, 262_144);
  assert.ok(!('cpuShares' in clampShares(r({ cpuShares: 0 }))));
});

test('oom_score_adj: the range, and no lower than ours without CAP_SYS_RESOURCE', () => {
  assert.doesNotThrow(() => checkOomScoreAdj(-1000, anyHost));
  refused(() => checkOomScoreAdj(1001, anyHost), /range for oom score adj is \[-1000, 1000\]/);
  const plain = { blkioWeight: true, oomScoreAdj: 100, capSysResource: false };
  assert.doesNotThrow(() => checkOomScoreAdj(100, plain));
  refused(() => checkOomScoreAdj(99, plain), /below berth's own oom_score_adj \(100\)/);
});

test('dns: servers must be addresses; search domains names', () => {
  assert.equal(checkDns({ servers: [], search: [], options: [] }), undefined);
  assert.deepEqual(checkDns({ servers: ['fd00::1'], search: ['.'], options: ['edns0'] }), { servers: ['fd00::1'], search: ['.'], options: ['edns0'] });
  refused(() => checkDns({ servers: ['dns.example'], search: [], options: [] }), /dns.example is not an ip address/);
  refused(() => checkDns({ servers: [], search: ['bad domain; rm'], options: [] }), /--dns-search/);
  refused(() => checkDns({ servers: [], search: [], options: ['a b'] }), /--dns-option/);
});

test('log opts: max-size in bytes; one file only; unknown keys refused', () => {
  assert.deepEqual(parseLogOpts({ 'max-size': '10m', 'max-file': '1' }), { maxSize: 10 << 20, maxFile: 1 });
  assert.deepEqual(parseLogOpts({ 'max-file': '1' }), undefined);
  assert.equal(parseLogOpts({}), undefined);
  refused(() => parseLogOpts({ 'max-size': '1m', 'max-file': '2' }), /keeps one log file/);
  refused(() => parseLogOpts({ 'max-file': '0' }), /max-file cannot be less than 1/);
  refused(() => parseLogOpts({ mode: 'non-blocking' }), /unknown log opt 'mode'/);
  assert.deepEqual(parse(['--log-opt', 'max-size=2k']).logOpts, { maxSize: 2048 });
  refused(() => parse(['--log-opt', 'max-size']), /KEY=VALUE/);
});

test('-a: stdout and stderr by default, else only those named; case does not matter', () => {
  assert.deepEqual(attachStreams({}), { stdout: true, stderr: true });
  assert.deepEqual(attachStreams({ attach: ['STDOUT'] }), { stdout: true, stderr: false });
  assert.deepEqual(attachStreams({ attach: ['stdin'] }), { stdout: false, stderr: false });
  refused(() => attachStreams({ attach: ['all'] }), /valid streams are STDIN, STDOUT and STDERR/);
});
