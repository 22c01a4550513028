import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone (issue 10): a fresh clone installs without engine warnings on the
 * Node versions the README promises, and nothing in it reads or links files outside it.
 */
const root = path.resolve(import.meta.dirname, '..');

describe('a fresh clone', () => {
  it('installs only packages whose declared engines accept every Node version the README promises (no EBADENGINE)', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }>;
    };
    // The oldest release the README promises, the one running, and the first of the 22 and 24 lines
    // that the pinned toolchain accepts (the README: "support for 22 and 24 as well").
    const promised = [semver.minVersion(pkg.engines.node)!.version, process.versions.node, '22.13.0', '24.0.0'];
    const refused: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!where || !range) continue;
      for (const version of promised) {
        if (!semver.satisfies(version, range))
          refused.push(`${where.replace(/^.*node_modules\//, '')} wants node ${range}, not ${version}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('reads and links nothing outside the repository', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|tsx|js|cjs|mjs|json|md|yml|yaml|sh)$/.test(f) || f === '.ci/run');
    // Any relative path ("../x", and any deeper climb) must stay inside the clone. Imports and links resolve
    // from the file that holds them; scripts and package.json commands run from the root.
    const runsFromRoot = (file: string) => file === '.ci/run' || file === 'package.json' || file.endsWith('.sh');
    const relative = /(?<![\w.])((?:\.\.\/)+[\w.-]+)/g;
    const outside: string[] = [];
    for (const file of files) {
      for (const [, target] of readFileSync(path.join(root, file), 'utf8').matchAll(relative)) {
        const from = runsFromRoot(file) ? root : path.dirname(path.join(root, file));
        if (path.relative(root, path.resolve(from, target!)).startsWith('..')) outside.push(`${file}: ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('tracks every file the code reads at run time (a clone has them)', () => {
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));
    for (const file of ['src/domain/accounts/data/common-passwords.txt', 'test/fixtures/totp-vectors.json'])
      expect(tracked.has(file), `${file} is not committed`).toBe(true);
  });
});
