import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES } from '../../domain/recovery/evidence.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads `multipart/form-data` (a lost-device ticket with evidence files). */
    multipart?: boolean;
  }
}

/**
 * Multipart parsing for the one route that takes files, in the caller's encapsulated scope. The
 * limits bound the whole request, since @fastify/multipart does not apply `bodyLimit` (its README):
 * a few more files than allowed so the domain can say "at most 3", each file 1 byte over the limit
 * so an oversized one is seen, 20 text fields of at most 16 KiB.
 */
export async function registerMultipart(app: FastifyInstance) {
  await app.register(multipart, {
    limits: {
      fileSize: EVIDENCE_MAX_BYTES,
      files: EVIDENCE_MAX_FILES + 3,
      fields: 20,
      fieldSize: 16 * 1024,
      parts: 30,
      headerPairs: 100,
    },
  });
}

/** The text fields and files of a multipart body; a file over the limit is 413 `request.too_large`. */
export async function readParts(request: FastifyRequest) {
  const fields: Record<string, string> = {};
  const files: { field: string; name: string; bytes: Buffer }[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.filename || bytes.length > 0)
          files.push({ field: part.fieldname, name: part.filename || 'evidence', bytes });
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('request.too_large', 'Each file may be at most 5 MB.', { cause: error });
    if (code === 'FST_FILES_LIMIT')
      throw new AppError('validation.failed', `Attach at most ${EVIDENCE_MAX_FILES} files.`, {
        details: { fields: [{ path: '/evidence', message: `at most ${EVIDENCE_MAX_FILES} files` }] },
        cause: error,
      });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
      throw new AppError('validation.failed', 'The form has too many or malformed parts.', { cause: error });
    throw error;
  }
  return { fields, files };
}
