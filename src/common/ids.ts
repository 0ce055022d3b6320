import { nodeCrypto } from './lazy.js';
import { invalid } from './errors.js';

/** A 64-hex container or network id, as Docker makes them. */
export function newId(): string {
  return nodeCrypto().randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

// Docker's rule for names; it also keeps a name from ever being a path or a shell word.
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function validateName(kind: string, name: string): string {
  if (!NAME_RE.test(name)) {
    throw invalid(`${kind}.bad_name`, `invalid ${kind} name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 128 characters`);
  }
  return name;
}

const ADJ = ['brave', 'calm', 'eager', 'fond', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'swift', 'tidy', 'witty', 'bold', 'jolly', 'proud', 'sunny'];
const NOUN = ['anchor', 'buoy', 'cove', 'dock', 'ferry', 'harbor', 'jetty', 'keel', 'mast', 'pier', 'quay', 'reef', 'sail', 'tide', 'wharf', 'hull'];

/** A readable random name such as "swift_harbor_3f2a"; the suffix makes clashes rare. */
export function randomName(): string {
  const b = nodeCrypto().randomBytes(4);
  return `${ADJ[b[0]! % ADJ.length]}_${NOUN[b[1]! % NOUN.length]}_${b.readUInt16BE(2).toString(16).padStart(4, '0')}`;
}
