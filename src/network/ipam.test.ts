import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseIPv4,
  formatIPv4,
  parseCidr,
  formatCidr,
  cidrsOverlap,
  pickSubnet,
  parseRoutes,
  nextFreeAddress,
  checkStaticAddress,
  chooseGateway,
  broadcast,
  validateSubnet,
  parseRoutesWithDev,
} from './ipam.js';
import { isBerthError } from '../common/errors.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(isBerthError(e), String(e));
    return e.code;
  }
  assert.fail('expected an error');
};

test('IPv4 parse/format round trip and rejects junk', () => {
  assert.equal(formatIPv4(parseIPv4('10.89.3.254')), '10.89.3.254');
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  for (const bad of ['10.0.0', '256.1.1.1', 'a.b.c.d', '1.2.3.4.5', '']) assert.equal(code(() => parseIPv4(bad)), 'network.bad_address');
});

test('CIDR parse clears host bits and validates', () => {
  assert.equal(formatCidr(parseCidr('10.89.7.9/24')), '10.89.7.0/24');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/a', '10.0.0.0/24/1', 'x/24']) assert.equal(code(() => parseCidr(bad)), 'network.bad_cidr');
  assert.equal(code(() => validateSubnet(parseCidr('10.0.0.0/31'), '10.0.0.0/31')), 'network.bad_cidr');
  for (const bad of ['127.1.0.0/16', '0.0.0.0/8', '224.1.0.0/16', '169.254.1.0/24'])
    assert.equal(code(() => validateSubnet(parseCidr(bad), bad)), 'network.bad_cidr', bad);
  validateSubnet(parseCidr('172.30.0.0/16'), '172.30.0.0/16');
  assert.equal(broadcast(parseCidr('10.1.0.0/16')), parseIPv4('10.1.255.255'));
});

test('overlap', () => {
  assert.ok(cidrsOverlap(parseCidr('10.0.0.0/8'), parseCidr('10.89.1.0/24')));
  assert.ok(cidrsOverlap(parseCidr('10.89.1.0/24'), parseCidr('10.89.1.128/25')));
  assert.ok(!cidrsOverlap(parseCidr('10.89.1.0/24'), parseCidr('10.89.2.0/24')));
});

test('pickSubnet skips taken networks and host routes, and reports a full pool', () => {
  const pool = [parseCidr('10.89.0.0/22')];
  const routes = parseRoutes('default via 192.0.2.1 dev eth0\n10.89.0.0/24 dev berth0 proto kernel scope link src 10.89.0.1\n10.89.1.128/25 dev x\n');
  assert.equal(routes.length, 2);
  assert.equal(formatCidr(pickSubnet(pool, routes)!), '10.89.2.0/24');
  const all = [parseCidr('10.89.0.0/22')];
  assert.equal(pickSubnet(pool, all), undefined);
});

test('parseRoutes reads table all output and skips host routes', () => {
  const r = parseRoutes(
    'local 10.89.0.1 dev berth0 table local proto kernel scope host src 10.89.0.1\nbroadcast 10.89.0.255 dev berth0 table local\n172.17.0.0/16 dev docker0\nunreachable 10.50.0.0/16\n',
  );
  assert.deepEqual(r.map(formatCidr), ['172.17.0.0/16']);
  assert.deepEqual(parseRoutesWithDev('10.89.0.0/24 dev berth0 proto kernel scope link src 10.89.0.1\n').map((x) => x.dev), ['berth0']);
});

test('nextFreeAddress skips network, gateway, broadcast and taken; honours ip-range', () => {
  const subnet = parseCidr('10.89.5.0/29');
  const pool = { subnet, gateway: parseIPv4('10.89.5.1') };
  assert.equal(formatIPv4(nextFreeAddress(pool, new Set())!), '10.89.5.2');
  assert.equal(formatIPv4(nextFreeAddress(pool, new Set([parseIPv4('10.89.5.2'), parseIPv4('10.89.5.3')]))!), '10.89.5.4');
  const full = new Set([2, 3, 4, 5, 6].map((n) => subnet.network + n));
  assert.equal(nextFreeAddress(pool, full), undefined, 'broadcast .7 must never be handed out');
  const ranged = { subnet: parseCidr('10.89.6.0/24'), range: parseCidr('10.89.6.128/25'), gateway: parseIPv4('10.89.6.1') };
  assert.equal(formatIPv4(nextFreeAddress(ranged, new Set())!), '10.89.6.128');
});

test('checkStaticAddress refuses outside, reserved; gateway must be inside', () => {
  const pool = { subnet: parseCidr('10.89.5.0/24'), gateway: parseIPv4('10.89.5.1') };
  assert.equal(formatIPv4(checkStaticAddress(pool, '10.89.5.77', 'n')), '10.89.5.77');
  assert.equal(code(() => checkStaticAddress(pool, '10.89.6.2', 'n')), 'network.address_outside');
  for (const r of ['10.89.5.0', '10.89.5.1', '10.89.5.255']) assert.equal(code(() => checkStaticAddress(pool, r, 'n')), 'network.address_reserved');
  const ranged = { ...pool, range: parseCidr('10.89.5.128/25') };
  assert.equal(formatIPv4(checkStaticAddress(ranged, '10.89.5.20', 'n')), '10.89.5.20', 'ip-range limits dynamic addresses only');
  assert.equal(formatIPv4(chooseGateway(parseCidr('10.1.0.0/24'), undefined)), '10.1.0.1');
  assert.equal(formatIPv4(chooseGateway(parseCidr('10.1.0.0/24'), '10.1.0.254')), '10.1.0.254');
  assert.equal(code(() => chooseGateway(parseCidr('10.1.0.0/24'), '10.1.1.1')), 'network.gateway_outside');
  assert.equal(code(() => chooseGateway(parseCidr('10.1.0.0/24'), '10.1.0.255')), 'network.gateway_outside');
});
