import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayablePorts } from './ps-format.js';

const tcp = (ip: string, publicPort: number, privatePort: number, type = 'tcp') => ({ ip, publicPort, privatePort, type });

test("Ports as Docker's DisplayablePorts prints them", () => {
  assert.equal(displayablePorts([]), '');
  assert.equal(displayablePorts([tcp('0.0.0.0', 8080, 80), tcp('::', 8080, 80)]), '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
  // The same number outside and in: consecutive ports fold into one range.
  assert.equal(displayablePorts([tcp('0.0.0.0', 8001, 8001), tcp('0.0.0.0', 8000, 8000), tcp('0.0.0.0', 8002, 8002)]), '0.0.0.0:8000-8002->8000-8002/tcp');
  assert.equal(displayablePorts([tcp('0.0.0.0', 8000, 8000), tcp('0.0.0.0', 8002, 8002)]), '0.0.0.0:8000->8000/tcp, 0.0.0.0:8002->8002/tcp');
  assert.equal(displayablePorts([tcp('127.0.0.1', 5353, 53, 'udp'), tcp('127.0.0.1', 5353, 53)]), '127.0.0.1:5353->53/tcp, 127.0.0.1:5353->53/udp');
  // Exposed, not published: the port and protocol alone.
  assert.equal(displayablePorts([{ ip: '', privatePort: 443, type: 'tcp' }, { ip: '', privatePort: 444, type: 'tcp' }, tcp('0.0.0.0', 8080, 80)]),
    '443-444/tcp, 0.0.0.0:8080->80/tcp');
});
