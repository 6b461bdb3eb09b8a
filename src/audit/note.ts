/**
 * C2SP signed notes and transparency-log checkpoints (issue 6), in the formats existing tools
 * read (golang.org/x/mod/sumdb/note, transparency-dev, Sigsum, Trillian witnesses):
 *
 * - a checkpoint body (c2sp.org/tlog-checkpoint): `<origin>\n<tree size>\n<base64 root hash>\n`;
 * - signed as a note (c2sp.org/signed-note): the text, a blank line, then one line per signature
 *   `— <key name> <base64(4-byte key hash || Ed25519 signature over the text)>`;
 * - the key hash is the first 4 bytes of SHA-256(key name || "\n" || 0x01 || public key), and
 *   the verifier key reads `<name>+<key hash hex>+<base64(0x01 || public key)>`.
 *
 * Ed25519 is deterministic, so signing the Go package's example reproduces it byte for byte
 * (tests/unit/note.test.ts): a Go witness or verifier accepts what puente signs.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const ALG_ED25519 = 0x01;
const EM_DASH = '\u2014';
/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI DER prefix of an Ed25519 public key; the 32 raw bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class NoteError extends Error {}

export interface NoteSigner {
  readonly name: string;
  readonly keyHash: Buffer;
  readonly publicKey: Buffer;
  readonly privateKey: KeyObject;
}

/** A key name is non-empty UTF-8 without spaces or plus signs (signed-note). */
function checkName(name: string): void {
  if (!name || /[\s+]/u.test(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
}

export function keyHash(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256').update(name).update('\n').update(Buffer.of(ALG_ED25519)).update(publicKey).digest().subarray(0, 4);
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** A signer from an Ed25519 private key (a KeyObject, e.g. read from a PEM file). */
export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new NoteError('the signing key must be Ed25519');
  const publicKey = rawPublicKey(privateKey);
  return { name, keyHash: keyHash(name, publicKey), publicKey, privateKey };
}

/** A signer from a 32-byte Ed25519 seed (the `PRIVATE+KEY+...` strings of the Go package). */
export function noteSignerFromSeed(name: string, seed: Buffer): NoteSigner {
  if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
  return noteSigner(name, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

/** The verifier key string of a signer: `<name>+<hash hex>+<base64(0x01 || public key)>`. */
export function verifierKey(signer: Pick<NoteSigner, 'name' | 'keyHash' | 'publicKey'>): string {
  return `${signer.name}+${signer.keyHash.toString('hex')}+${Buffer.concat([Buffer.of(ALG_ED25519), signer.publicKey]).toString('base64')}`;
}

interface Verifier {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

/** Parses a verifier key string; refuses anything but a well-formed Ed25519 key whose hash matches. */
export function parseVerifierKey(vkey: string): Verifier {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new NoteError('malformed verifier key');
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  const material = vkey.slice(second + 1);
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new NoteError('malformed verifier key hash');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material)) throw new NoteError('malformed verifier key material');
  const key = Buffer.from(material, 'base64');
  if (key.toString('base64') !== material || key.length !== 33 || key[0] !== ALG_ED25519) throw new NoteError('not an Ed25519 verifier key');
  const raw = key.subarray(1);
  if (!keyHash(name, raw).equals(Buffer.from(hashHex, 'hex'))) throw new NoteError('verifier key hash does not match its key');
  return {
    name,
    keyHash: Buffer.from(hashHex, 'hex'),
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }),
  };
}

/** Signs `text` (UTF-8, ending in a newline) as a note with one signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n')) throw new NoteError('a note text ends with a newline');
  if (text.includes('\n\n') || text.startsWith('\n')) throw new NoteError('a note text has no blank lines');
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${EM_DASH} ${signer.name} ${Buffer.concat([signer.keyHash, signature]).toString('base64')}\n`;
}

/**
 * Opens a signed note with a verifier key: returns its text when a signature line of that key
 * verifies over it; throws NoteError otherwise (tampered text, unknown or bad signature).
 */
export function openNote(note: string, vkey: string): string {
  const verifier = parseVerifierKey(vkey);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  for (const line of lines) {
    const m = new RegExp(`^${EM_DASH} (\\S+) ([A-Za-z0-9+/]+={0,2})$`, 'u').exec(line);
    if (!m) throw new NoteError('malformed signature line');
    if (m[1] !== verifier.name) continue;
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length !== 68 || !blob.subarray(0, 4).equals(verifier.keyHash)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, blob.subarray(4))) return text;
    throw new NoteError(`the signature of ${verifier.name} does not verify`);
  }
  throw new NoteError(`no signature of ${verifier.name}`);
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
}

/** The c2sp.org/tlog-checkpoint body. */
export function checkpointText(c: Checkpoint): string {
  if (!c.origin || c.origin.includes('\n')) throw new NoteError('invalid checkpoint origin');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new NoteError('invalid tree size');
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('malformed checkpoint');
  const [origin, size, root] = lines as [string, string, string];
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size)) throw new NoteError('malformed checkpoint');
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) throw new NoteError('malformed checkpoint root hash');
  return { origin, size: Number(size), rootHash };
}
