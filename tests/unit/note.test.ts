/**
 * C2SP signed notes and checkpoints against the reference vector of golang.org/x/mod/sumdb/note
 * (the PeterNeumann key and its published signed note): Ed25519 is deterministic, so puente must
 * reproduce Go's note byte for byte, open it with Go's verifier key, and refuse any alteration.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NoteError,
  checkpointText,
  noteSigner,
  noteSignerFromSeed,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signNote,
  verifierKey,
} from '../../src/audit/note.js';

const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

/** The seed of a Go `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>` string. */
function goSeed(skey: string): Buffer {
  const material = Buffer.from(skey.split('+').slice(4).join('+'), 'base64');
  expect(material[0]).toBe(1);
  return material.subarray(1);
}

describe('C2SP signed-note', () => {
  const signer = noteSignerFromSeed('PeterNeumann', goSeed(GO_SIGNER_KEY));

  it("derives Go's verifier key and reproduces Go's signed note byte for byte", () => {
    expect(verifierKey(signer)).toBe(GO_VERIFIER_KEY);
    expect(signNote(GO_TEXT, signer)).toBe(GO_NOTE);
  });

  it("opens Go's note with Go's key and refuses an altered text, signature or key", () => {
    expect(openNote(GO_NOTE, GO_VERIFIER_KEY)).toBe(GO_TEXT);
    expect(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), GO_VERIFIER_KEY)).toThrow(NoteError);
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gp'), GO_VERIFIER_KEY)).toThrow(NoteError);
    const other = noteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
    expect(() => openNote(GO_NOTE, verifierKey(other))).toThrow(/no signature|does not verify/);
    expect(() => parseVerifierKey(GO_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4'))).toThrow(NoteError);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow(NoteError);
  });

  it('refuses texts a note cannot carry', () => {
    expect(() => signNote('no newline', signer)).toThrow(NoteError);
    expect(() => signNote('a\n\nb\n', signer)).toThrow(NoteError);
    expect(() => noteSignerFromSeed('two words', goSeed(GO_SIGNER_KEY))).toThrow(NoteError);
  });
});

describe('tlog-checkpoint', () => {
  it('formats, signs, opens and parses a checkpoint', () => {
    const signer = noteSigner('puente.example/log', generateKeyPairSync('ed25519').privateKey);
    const root = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');
    const text = checkpointText({ origin: 'puente.example/log', size: 8, rootHash: root });
    expect(text).toBe('puente.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
    const note = signNote(text, signer);
    const opened = parseCheckpoint(openNote(note, verifierKey(signer)));
    expect(opened).toEqual({ origin: 'puente.example/log', size: 8, rootHash: root });
    expect(() => parseCheckpoint('origin\n08\nAAAA\n')).toThrow(NoteError);
    expect(() => openNote(note.replace('\n8\n', '\n9\n'), verifierKey(signer))).toThrow(NoteError);
  });
});
