import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, errorCodes } from '../src/errors/codes.js';

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

describe('docs/sensitive-operations.md', () => {
  it('lists every sensitive operation of the code, and no other', async () => {
    const { sensitiveOperations } = await import('../src/domain/step-up/sensitive-operations.js');
    const doc = readFileSync(path.join(root, 'docs/sensitive-operations.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(sensitiveOperations.map((o) => o.id));
  });
});

describe('docs/errors.md and the error catalogue', () => {
  const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );

  it('documents every code with its status', () => {
    for (const code of errorCodes) {
      expect(documented.get(code), `docs/errors.md is missing ${code}`).toBe(errorCatalogue[code].status);
    }
  });
  it('documents no code the catalogue does not have', () => {
    for (const code of documented.keys()) expect(errorCodes, `docs/errors.md lists unknown ${code}`).toContain(code);
  });
  it('every catalogue code is used somewhere in the sources', () => {
    const sources = sourceFiles(path.join(root, 'src'))
      .filter((f) => !f.endsWith('codes.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const code of errorCodes) expect(sources.includes(`'${code}'`), `${code} is never raised`).toBe(true);
  });
});
