// Node built-ins that cost milliseconds to load (crypto, zlib) are loaded on first use, so the commands
// that never hash or draw random bytes (ps, rm, inspect) do not pay for them at start.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto;
}

let zlib: typeof import('node:zlib') | undefined;

export function nodeZlib(): typeof import('node:zlib') {
  zlib ??= require('node:zlib') as typeof import('node:zlib');
  return zlib;
}

let net: typeof import('node:net') | undefined;

/** net brings the stream modules with it (about 25 built-ins): `ps` needs none of them. */
export function nodeNet(): typeof import('node:net') {
  net ??= require('node:net') as typeof import('node:net');
  return net;
}

let stream: typeof import('node:stream') | undefined;

/** The stream modules (about 25 built-ins), for the commands that make a stream of their own. */
export function nodeStream(): typeof import('node:stream') {
  stream ??= require('node:stream') as typeof import('node:stream');
  return stream;
}
