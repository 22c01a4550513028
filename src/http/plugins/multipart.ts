import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, EVIDENCE_MAX_MEGABYTES } from '../../domain/recovery/evidence.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads `multipart/form-data` (a lost-device ticket with evidence files). */
    multipart?: boolean;
  }
}

/**
 * Multipart bodies read at once by one instance. Each holds at most 3 sealed files of 15 MB while
 * it is read (about 110 MB at its peak: ciphertext, then its base64), so this bounds what uploads
 * can take from memory (issue 19: 8 concurrent refused uploads took RSS from 176 to 364 MB); a
 * lost-device ticket is rare, and the next one waits a second.
 */
export const MULTIPART_IN_FLIGHT = 2;

/**
 * Multipart parsing for the one route that takes files, in the caller's encapsulated scope. The
 * limits bound the whole request, since @fastify/multipart does not apply `bodyLimit` (its README):
 * 3 files, each 1 byte over the limit (15 MB) so the reader sees an oversized one, 20 text fields of at
 * most 16 KiB; and at most MULTIPART_IN_FLIGHT such requests at once, refused before any is read.
 */
export async function registerMultipart(app: FastifyInstance, inFlightLimit = MULTIPART_IN_FLIGHT) {
  await app.register(multipart, {
    limits: {
      fileSize: EVIDENCE_MAX_BYTES + 1,
      files: EVIDENCE_MAX_FILES,
      fields: 20,
      fieldSize: 16 * 1024,
      parts: 30,
      headerPairs: 100,
    },
  });
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    // By the header: isMultipart() is known only once the body parser ran, after this hook.
    if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) return;
    if (inFlight >= inFlightLimit)
      throw new AppError(
        'service.unavailable',
        'The service is receiving as many uploads as it takes at once. Nothing was changed; try again in a moment.',
        { details: { retryAfterSeconds: 2 } },
      );
    inFlight += 1;
    let released = false;
    // 'close' comes once the answer is sent or the client went away, whichever happens.
    reply.raw.once('close', () => {
      if (!released) inFlight -= 1;
      released = true;
    });
  });
}

/**
 * The text fields of a multipart body, and each file handed to `receive` as it arrives (a file is
 * never buffered here). Parser limits and malformed bodies become 4xx with contract codes. Fields
 * go into `fields` as they arrive, so a form refused for a file still has the fields sent before it;
 * `beforeFiles` sees them once, when the first file arrives, and may refuse the form before any of
 * its files is read.
 */
export async function readParts<File>(
  request: FastifyRequest,
  receive: (fileName: string, chunks: AsyncIterable<Buffer>) => Promise<File | null>,
  fields: Record<string, string> = {},
  beforeFiles?: (fields: Record<string, string>) => Promise<void>,
) {
  const files: File[] = [];
  let filesStarted = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (!filesStarted) {
          filesStarted = true;
          await beforeFiles?.(fields);
        }
        if (part.fieldname !== 'evidence')
          throw new AppError('validation.failed', 'Files go in parts named "evidence".', {
            details: { fields: [{ path: `/${part.fieldname}`, message: 'unexpected file' }] },
          });
        const file = await receive(part.filename ?? '', part.file);
        if (file !== null) files.push(file);
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('request.too_large', `Each file may be at most ${EVIDENCE_MAX_MEGABYTES} MB.`, {
        cause: error,
      });
    if (code === 'FST_FILES_LIMIT')
      throw new AppError('validation.failed', `Attach at most ${EVIDENCE_MAX_FILES} files.`, {
        details: { fields: [{ path: '/evidence', message: `at most ${EVIDENCE_MAX_FILES} files` }] },
        cause: error,
      });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new AppError('validation.failed', 'The form has too many parts.', { cause: error });
    // Everything else the parser throws is a body that is not multipart as announced: no boundary,
    // not a single part, truncated (busboy's errors carry no code).
    throw new AppError(
      'request.invalid_multipart',
      'The multipart/form-data body is malformed (no boundary, or truncated).',
      { cause: error },
    );
  }
  return { fields, files };
}
