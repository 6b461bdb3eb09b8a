/**
 * A `multipart/form-data` upload from the dossier form: one file (at most the API's 25 MB) and a
 * few short text fields, read with busboy. Anything else is a 4xx, never a partial write: the
 * engine sees the document only once the whole file has arrived within the limit.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, InputError } from '../errors.js';

export const UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

export interface Upload {
  readonly fields: Record<string, string>;
  readonly file?: { filename: string; contentType: string; bytes: Buffer };
}

export function readUpload(req: Request): Promise<Upload> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new AppError('unsupported_media_type', 'Upload the document with a multipart/form-data form', [{ path: '', message: 'Content-Type must be multipart/form-data' }]));
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 }, defParamCharset: 'utf8' });
    } catch {
      reject(new InputError('The multipart body is malformed', [{ path: '', message: 'is not a readable multipart/form-data body' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Upload['file'];
    let failure: AppError | undefined;
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) failure ??= new AppError('payload_too_large', `The field ${name} is too long`, [{ path: `/${name}`, message: 'is too long' }]);
      else if (/^[\w.-]{1,64}$/.test(name)) fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A body that ends inside the file part: busboy destroys the stream with an error, which
      // must be a 4xx for this request, never an uncaught exception that stops the server.
      stream.on('error', () => {
        failure ??= new InputError('The multipart body is malformed', [{ path: '', message: 'is not a readable multipart/form-data body' }]);
      });
      stream.on('limit', () => {
        failure ??= new AppError('payload_too_large', `The file is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MB`, [{ path: '/file', message: `must be at most ${UPLOAD_MAX_BYTES / 1024 / 1024} MB` }]);
      });
      stream.on('close', () => {
        // An empty file input (nothing chosen) arrives as a part with no name and no bytes.
        if (name === 'file' && info.filename) file = { filename: info.filename, contentType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('partsLimit', () => (failure ??= new InputError('Too many parts in the form', [{ path: '', message: 'has too many parts' }])));
    bb.on('filesLimit', () => (failure ??= new InputError('Upload one file at a time', [{ path: '/file', message: 'only one file per upload' }])));
    bb.on('fieldsLimit', () => (failure ??= new InputError('Too many fields in the form', [{ path: '', message: 'has too many fields' }])));
    bb.on('error', () => reject(new InputError('The multipart body is malformed', [{ path: '', message: 'is not a readable multipart/form-data body' }])));
    bb.on('close', () => (failure ? reject(failure) : resolve({ fields, ...(file ? { file } : {}) })));
    req.pipe(bb);
  });
}
