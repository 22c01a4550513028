import { timingSafeEqual, createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';

/**
 * Up to 3 files of at most 15 MB each: a phone camera's photo of an ID card is often over 5 MB
 * (decision 024), and the one person who needs this form is the one who lost their phone.
 */
export const EVIDENCE_MAX_FILES = 3;
export const EVIDENCE_MAX_MEGABYTES = 15;
export const EVIDENCE_MAX_BYTES = EVIDENCE_MAX_MEGABYTES * 1024 * 1024;

export type EvidenceType = 'personal' | 'enterprise';

/** What an applicant or an owner states about themselves (docs/design.md F7: personal or enterprise facts). */
export interface IdentityFacts {
  type: EvidenceType;
  name: string;
  idNumber: string;
  phone: string;
  companyName?: string | undefined;
  licenseNumber?: string | undefined;
}

export type FactMatches = {
  name: boolean;
  idNumber: boolean;
  phone: boolean;
  companyName?: boolean;
  licenseNumber?: boolean;
};

export type EvidenceContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** One evidence file as received: sealed already, its type known from its first bytes. */
export interface SealedEvidence {
  id: string;
  /** The applicant's own file name, for display as text only (never a download's name). */
  name: string;
  contentType: EvidenceContentType;
  size: number;
  sealed: string;
  keyId: string;
}

/** The first bytes `sniffEvidenceType` needs. */
export const EVIDENCE_SNIFF_BYTES = 8;

/**
 * The file's type by its first bytes, never by the name or the client's Content-Type (OWASP File
 * Upload Cheat Sheet): JPEG `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, PDF `%PDF-`.
 */
export function sniffEvidenceType(bytes: Buffer): EvidenceContentType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

const EXTENSIONS: Record<EvidenceContentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/**
 * The name a download gets: its place in the ticket and the extension of its detected type
 * (`evidence-1.png`). The applicant's name never names a file on an operator's disk: a PNG+HTML
 * polyglot called `passport.html` would open in a browser there and run its script.
 */
export function evidenceDownloadName(position: number, contentType: EvidenceContentType): string {
  return `evidence-${position}.${EXTENSIONS[contentType]}`;
}

/** The applicant's file name for display: the last path segment, no control characters, at most 100. */
export function evidenceDisplayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // Control and format characters (the bidirectional overrides that show "gpj.exe" as "exe.jpg",
  // zero-width ones) and line and paragraph separators.
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .slice(0, 100);
  return cleaned === '' ? 'evidence' : cleaned;
}

/** ID and licence numbers: case, spaces and dashes do not matter (people type them many ways). */
export function normalizeNumber(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

/** Names: case and inner spacing do not matter. */
export function normalizeName(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function lastFour(value: string): string {
  return normalizeNumber(value).slice(-4);
}

/** Compares digests of equal length, so the time taken says nothing about where values differ. */
function sameValue(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Whether each fact a ticket states matches the verified record. Operators see only these flags
 * and the last 4 digits, never the stored numbers (issue 13; PIPL art. 28 sensitive data).
 */
export function matchFacts(stated: IdentityFacts, record: IdentityFacts): FactMatches {
  const matches: FactMatches = {
    name: sameValue(normalizeName(stated.name), normalizeName(record.name)),
    idNumber: sameValue(normalizeNumber(stated.idNumber), normalizeNumber(record.idNumber)),
    phone: sameValue(normalizeNumber(stated.phone), normalizeNumber(record.phone)),
  };
  if (stated.type === 'enterprise' || record.type === 'enterprise') {
    matches.companyName = sameValue(normalizeName(stated.companyName ?? ''), normalizeName(record.companyName ?? ''));
    matches.licenseNumber = sameValue(
      normalizeNumber(stated.licenseNumber ?? ''),
      normalizeNumber(record.licenseNumber ?? ''),
    );
  }
  return matches;
}

/** Enterprise facts need the company and its licence; personal facts must not carry them. */
export function checkFacts(facts: IdentityFacts, path: string): IdentityFacts {
  const missing: (keyof Omit<IdentityFacts, 'type'>)[] = (['name', 'idNumber', 'phone'] as const).filter(
    (k) => !facts[k]?.trim(),
  );
  if (facts.type === 'enterprise')
    missing.push(...(['companyName', 'licenseNumber'] as const).filter((k) => !facts[k]?.trim()));
  if (missing.length > 0)
    throw new AppError('validation.failed', (m) => m.recovery.identityFactsIncomplete, {
      details: { fields: missing.map((k) => ({ path: `${path}/${k}`, message: 'is required' })) },
    });
  if (normalizeNumber(facts.idNumber).length < 4)
    throw new AppError('validation.failed', (m) => m.recovery.idNumberTooShort, {
      details: { fields: [{ path: `${path}/idNumber`, message: 'at least 4 characters' }] },
    });
  return facts.type === 'personal'
    ? { type: 'personal', name: facts.name.trim(), idNumber: facts.idNumber.trim(), phone: facts.phone.trim() }
    : {
        type: 'enterprise',
        name: facts.name.trim(),
        idNumber: facts.idNumber.trim(),
        phone: facts.phone.trim(),
        companyName: facts.companyName!.trim(),
        licenseNumber: facts.licenseNumber!.trim(),
      };
}
