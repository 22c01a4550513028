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

declare module 'fastify' {
  interface FastifyInstance {
    /** The one gate every multipart route of this app shares (decorated in buildApp). */
    uploadGate: UploadGate;
  }
}

/**
 * How many multipart bodies one instance reads at once, in all (each holds at most 3 sealed files
 * of 15 MB while it is read, about 110 MB at its peak: ciphertext, then its base64) and per client
 * address; and how long a body may take — no byte for `idleMs`, or not done by `deadlineMs`, and
 * it is cut off. Decision 022: 8 concurrent refused uploads once took RSS from 176 to 364 MB, and a
 * body that trickles in must not hold a slot for ever. A lost-device ticket is rare; the next one
 * waits a moment.
 */
export const UPLOAD_LIMITS = { total: 2, perAddress: 1, idleMs: 30_000, deadlineMs: 5 * 60_000 };

export function createUploadGate(limits = UPLOAD_LIMITS) {
  let total = 0;
  const byAddress = new Map<string, number>();
  return {
    limits,
    /** Slots taken now, and the addresses holding them (both 0 when no upload is under way). */
    inUse: () => ({ total, addresses: byAddress.size }),
    /** A slot for this address, or null when the instance or the address has none free. */
    acquire(address: string): (() => void) | null {
      const mine = byAddress.get(address) ?? 0;
      if (total >= limits.total || mine >= limits.perAddress) return null;
      total += 1;
      byAddress.set(address, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left <= 0) byAddress.delete(address);
        else byAddress.set(address, left);
      };
    },
  };
}
export type UploadGate = ReturnType<typeof createUploadGate>;

/**
 * Multipart parsing for a route that takes files, in the caller's encapsulated scope. The limits
 * bound the whole request, since @fastify/multipart does not apply `bodyLimit` (its README):
 * 3 files, each 1 byte over the limit (15 MB) so the reader sees an oversized one, 20 text fields of
 * at most 16 KiB; and the app's upload gate, passed before any byte of the body is read.
 */
export async function registerMultipart(app: FastifyInstance) {
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
  const gate = app.uploadGate;
  app.addHook('onRequest', async (request, reply) => {
    // By the header: isMultipart() is known only once the body parser ran, after this hook.
    if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) return;
    const release = gate.acquire(request.ip);
    if (!release)
      throw new AppError('service.unavailable', (m) => m.http.tooManyUploads, { details: { retryAfterSeconds: 5 } });
    // A body that stalls or trickles is cut off; its slot comes back when the answer or the
    // connection closes, whichever happens first.
    const raw = request.raw;
    const cut = () => raw.destroy(new Error('upload too slow'));
    const deadline = setTimeout(cut, gate.limits.deadlineMs);
    deadline.unref();
    if (typeof raw.setTimeout === 'function') raw.setTimeout(gate.limits.idleMs, cut);
    reply.raw.once('close', () => {
      clearTimeout(deadline);
      release();
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
  /** An error of `beforeFiles`' own work (a database it could not reach): not the body's fault. */
  let ownError: unknown = undefined;
  const own = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof AppError)) ownError = error;
      throw error;
    }
  };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (!filesStarted) {
          filesStarted = true;
          if (beforeFiles) await own(() => beforeFiles(fields));
        }
        if (part.fieldname !== 'evidence')
          throw new AppError('validation.failed', (m) => m.http.filesInEvidenceParts, {
            details: { fields: [{ path: `/${part.fieldname}`, message: 'unexpected file' }] },
          });
        // The receiver's other errors come from the part's stream: the parser's, like the rest.
        const file = await receive(part.filename ?? '', part.file);
        if (file !== null) files.push(file);
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if (error instanceof AppError || error === ownError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('request.too_large', (m) => m.http.fileTooLarge(EVIDENCE_MAX_MEGABYTES), {
        cause: error,
      });
    if (code === 'FST_FILES_LIMIT')
      throw new AppError('validation.failed', (m) => m.recovery.tooManyFiles(EVIDENCE_MAX_FILES), {
        details: { fields: [{ path: '/evidence', message: `at most ${EVIDENCE_MAX_FILES} files` }] },
        cause: error,
      });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new AppError('validation.failed', (m) => m.http.tooManyParts, { cause: error });
    // Everything else the parser throws is a body that is not multipart as announced: no boundary,
    // not a single part, truncated (busboy's errors carry no code).
    throw new AppError('request.invalid_multipart', (m) => m.http.malformedMultipart, { cause: error });
  }
  return { fields, files };
}
