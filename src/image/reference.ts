// Image references, as Docker and Podman spell them: [domain/]path[:tag][@sha256:hex].
// Locally made and imported images are stored as localhost/NAME:TAG (Podman's rule); a short
// name the user types is tried as localhost/ first and then as docker.io/library/.
import { invalid } from '../common/errors.js';

export interface Reference {
  /** "localhost", "docker.io", "registry:5000"; empty when the user gave none. */
  domain: string;
  /** "busybox", "library/busybox", "team/app". */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

export const LOCAL_DOMAIN = 'localhost';
export const DEFAULT_TAG = 'latest';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$/;
const ID_PREFIX = /^(?:sha256:)?[a-f0-9]{3,64}$/;

export function parseReference(input: string): Reference {
  const bad = (why: string) => invalid('image.bad_reference', `invalid image reference "${input}": ${why}`);
  if (input === '' || input.length > 255 + 72) throw bad('empty or too long');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('digest must be sha256: and 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`tag "${tag}" may only hold [A-Za-z0-9_.-], at most 128 characters`);
  }
  let domain = '';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === LOCAL_DOMAIN) {
      domain = first;
      rest = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) throw bad(`registry "${domain}" is not a host name`);
    }
  }
  const parts = rest.split('/');
  if (parts.some((p) => !COMPONENT.test(p))) throw bad('repository names are lowercase letters, digits and separators (. _ __ -)');
  return { domain, path: rest, tag, digest };
}

/** The stored form of a name: "busybox" → "localhost/busybox:latest", "docker.io/nginx" → "docker.io/library/nginx:latest". */
export function normalizeName(input: string): string {
  const r = parseReference(input);
  if (r.digest !== undefined && r.tag === undefined) {
    throw invalid('image.bad_reference', `"${input}": a tag is needed to name an image (not only a digest)`);
  }
  return `${repositoryOf(r, r.domain || LOCAL_DOMAIN)}:${r.tag ?? DEFAULT_TAG}`;
}

/** The stored names a user's reference may mean, in the order they are tried. */
export function candidateNames(input: string): string[] {
  const r = parseReference(input);
  const tag = r.tag ?? DEFAULT_TAG;
  if (r.domain !== '') return [`${repositoryOf(r, r.domain)}:${tag}`];
  return [`${r.path}:${tag}`, `${LOCAL_DOMAIN}/${r.path}:${tag}`, `${repositoryOf(r, 'docker.io')}:${tag}`];
}

/** True when the input could be (a prefix of) an image id: 3 to 64 hex digits, optionally sha256:-prefixed. */
export function looksLikeId(input: string): boolean {
  return ID_PREFIX.test(input);
}

/** "localhost/busybox:latest" → { repository: "localhost/busybox", tag: "latest" }. */
export function splitName(name: string): { repository: string; tag: string } {
  const colon = name.lastIndexOf(':');
  if (colon <= name.lastIndexOf('/')) return { repository: name, tag: DEFAULT_TAG };
  return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
}

function repositoryOf(r: Reference, domain: string): string {
  const path = domain === 'docker.io' && !r.path.includes('/') ? `library/${r.path}` : r.path;
  return `${domain}/${path}`;
}
