/**
 * A `multipart/form-data` upload from the dossier form: one file (at most the API's 25 MB) and a
 * few short text fields, read with busboy. Anything else is a 4xx, never a partial write: the
 * engine sees the document only once the whole file has arrived within the limit.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, InputError, fieldError } from '../errors.js';

const malformed = () => new InputError({ code: 'web.multipart_malformed' }, [fieldError('', { code: 'web.multipart_malformed_field' })]);

export const UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

export interface Upload {
  readonly fields: Record<string, string>;
  readonly file?: { filename: string; contentType: string; bytes: Buffer };
}

export function readUpload(req: Request): Promise<Upload> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(
      new AppError('unsupported_media_type', { code: 'web.multipart_required' }, [fieldError('', { code: 'web.multipart_required_field' })]),
    );
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 }, defParamCharset: 'utf8' });
    } catch {
      reject(malformed());
      return;
    }
    const fields: Record<string, string> = {};
    let file: Upload['file'];
    let failure: AppError | undefined;
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated)
        failure ??= new AppError('payload_too_large', { code: 'web.field_too_long', params: { name } }, [
          fieldError(`/${name}`, { code: 'web.field_too_long_field' }),
        ]);
      else if (/^[\w.-]{1,64}$/.test(name)) fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A body that ends inside the file part: busboy destroys the stream with an error, which
      // must be a 4xx for this request, never an uncaught exception that stops the server.
      stream.on('error', () => {
        failure ??= malformed();
      });
      stream.on('limit', () => {
        failure ??= new AppError('payload_too_large', { code: 'web.file_too_large', params: { mb: UPLOAD_MAX_BYTES / 1024 / 1024 } }, [
          fieldError('/file', { code: 'web.file_too_large_field', params: { mb: UPLOAD_MAX_BYTES / 1024 / 1024 } }),
        ]);
      });
      stream.on('close', () => {
        // An empty file input (nothing chosen) arrives as a part with no name and no bytes.
        if (name === 'file' && info.filename)
          file = { filename: info.filename, contentType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('partsLimit', () => (failure ??= new InputError({ code: 'web.too_many_parts' }, [fieldError('', { code: 'web.too_many_parts_field' })])));
    bb.on('filesLimit', () => (failure ??= new InputError({ code: 'web.one_file' }, [fieldError('/file', { code: 'web.one_file_field' })])));
    bb.on('fieldsLimit', () => (failure ??= new InputError({ code: 'web.too_many_fields' }, [fieldError('', { code: 'web.too_many_fields_field' })])));
    bb.on('error', () => reject(malformed()));
    bb.on('close', () => (failure ? reject(failure) : resolve({ fields, ...(file ? { file } : {}) })));
    req.pipe(bb);
  });
}
