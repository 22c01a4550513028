import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en as consoleEn } from '../src/http/console/messages/en.js';
import { zhCN as consoleZh } from '../src/http/console/messages/zh-CN/index.js';
import { errorTexts } from '../src/i18n/errors/index.js';
import { mailTexts } from '../src/i18n/mail/index.js';

/**
 * Every text twofold shows exists in both languages, is not empty and is really translated (issue
 * 25); and no user-facing sentence is left in code outside the catalogues.
 */

/** Values that are the same in both languages on purpose: names and codes, not words. */
const SAME_IN_BOTH = new Set([
  'brand',
  // The name of a language in itself, on the footer switch and the profile page.
  'language.en',
  'language.zh-CN',
  // Sent to the application as OAuth `error_description`, which RFC 6749 §4.1.2.1 limits to ASCII.
  // Mail: the signature is the service's name after a dash; an actor's label is the person's name.
  'signature',
  'actor',
  // A format mask for a recovery code.
  'recoveryCodes.codePlaceholder',
  'security.recoveryCodes.codePlaceholder',
  'oidc.cancelled',
  'oidc.notAllowed',
]);
/** Keys whose values are codes, not words: a notice's kind, the page's language tag. */
const CODE_KEYS = /(^|\.)(kind|lang)$/;

/** Sample arguments for a catalogue function: strings, numbers, lists, as its parameters need. */
function render(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value !== 'function') return null;
  const fn = value as (...args: unknown[]) => unknown;
  for (const args of [
    ['Ada', 'Bob', 'Cy', 'Dee'],
    [2, 2, 2, 2],
    [['Ada', 'Bob'], 'Ada', 2],
    [{ name: 'Ada', app: 'Wiki', count: 2, kind: 'totp' }, 'Ada'],
    [Date.UTC(2026, 11, 7, 4, 28)],
  ]) {
    try {
      const out = fn(...args);
      if (typeof out === 'string') return out;
      if (out && typeof out === 'object' && 'subject' in out) return JSON.stringify(out);
    } catch {
      // try the next shape of arguments
    }
  }
  return null;
}

function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      for (const [k, v] of leaves(inner, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
    }
  } else if (Array.isArray(value)) {
    value.forEach((inner, i) => {
      for (const [k, v] of leaves(inner, `${prefix}[${i}]`)) out.set(k, v);
    });
  } else {
    out.set(prefix, value);
  }
  return out;
}

function compare(name: string, en: unknown, zh: unknown) {
  const left = leaves(en);
  const right = leaves(zh);
  it(`${name}: the same keys in English and Chinese`, () => {
    expect([...right.keys()].sort()).toEqual([...left.keys()].sort());
  });
  it(`${name}: every Chinese text is there and translated`, () => {
    const untranslated: string[] = [];
    const empty: string[] = [];
    for (const [key, value] of left) {
      if ((typeof value !== 'string' && typeof value !== 'function') || CODE_KEYS.test(key)) continue;
      const a = render(value);
      const b = render(right.get(key));
      // A function whose arguments these samples cannot make (a notification): its own test renders
      // every kind in both languages (test/mail.i18n.test.ts).
      if (a === null && b === null) continue;
      if (b === null || b.trim() === '') empty.push(key);
      else if (a === b && !SAME_IN_BOTH.has(key) && /[A-Za-z]{3,}/.test(a)) untranslated.push(`${key}: ${a}`);
    }
    expect(empty).toEqual([]);
    expect(untranslated).toEqual([]);
  });
}

describe('the catalogues', () => {
  compare('console', consoleEn, consoleZh);
  compare('API error messages', errorTexts.en, errorTexts['zh-CN']);
  compare('e-mails and SMS', mailTexts.en, mailTexts['zh-CN']);

  it('the audit log names every event type in both languages', async () => {
    const { auditEventTypes } = await import('../src/domain/audit/audit.js');
    for (const catalogue of [consoleEn, consoleZh]) {
      const labels = catalogue.audit.labels as Record<string, string>;
      expect(auditEventTypes.filter((type) => !labels[type])).toEqual([]);
    }
  });
});

// ---- No user-facing sentence outside the catalogues ------------------------------------------------

const ROOT = path.resolve(import.meta.dirname, '..');
/** Texts for people live in these; everything else is code. */
const CATALOGUES = [/^src\/i18n\//, /^src\/http\/console\/messages\//];
/**
 * Not for the console's or the API's readers: the operator's CLI and configuration errors, the
 * database's migrations, the browser scripts (they carry their texts from the page), styles.
 */
const OPERATOR_ONLY = [
  /^src\/cli\//,
  /^src\/config\//,
  /^src\/db\//,
  // Key-derivation labels and the decoy hash input: constants, never shown.
  /^src\/crypto\//,
  // GET /readyz: for load balancers and the operator.
  /^src\/domain\/health\//,
  // Start-up failures and the SMS gateway's errors: the operator's log.
  /^src\/main\.ts$/,
  /^src\/mail\//,
  // Patterns that recognise the database driver's own error messages.
  /^src\/errors\/unavailable\.ts$/,
  // The OpenAPI document's response descriptions (developers read it, in English).
  /^src\/http\/api\/schemas\.ts$/,
  // The provider's interaction checks: their descriptions go to applications as OAuth
  // `error_description`, which RFC 6749 §4.1.2.1 limits to ASCII.
  /^src\/http\/oidc\/policy\.ts$/,
  /^src\/http\/console\/(script|passkeys|styles)\.ts$/,
  /\.test\.ts$/,
];
/** Properties whose strings document the API for developers (OpenAPI) or name things, not talk to people. */
const DEVELOPER_PROPS = new Set(['description', 'summary', 'help', 'what', 'endpoint']);
const SENTENCE = /[A-Za-z]{2,}[,.]?( [A-Za-z'’]+[,.:]?){3,}/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

function sentencesIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    let literal: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literal = node.text;
    else if (ts.isTemplateExpression(node))
      literal = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
    else if (ts.isJsxText(node) && /[A-Za-z]{2,}/.test(node.text)) literal = node.text.trim();
    if (literal !== null && (SENTENCE.test(literal) || ts.isJsxText(node)) && !skipped(node, source)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${path.relative(ROOT, file)}:${line + 1}: ${literal.slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Log lines, internal errors and API documentation are for operators and developers, in English; so
 * are a validation refusal's per-field notes (`details.fields[].message`), which name JSON paths.
 */
function skipped(node: ts.Node, source: ts.SourceFile): boolean {
  if (ts.isPropertyAssignment(node.parent) && DEVELOPER_PROPS.has(node.parent.name.getText(source))) return true;
  if (isFieldNote(node, source)) return true;
  for (let up: ts.Node | undefined = node.parent; up && !ts.isSourceFile(up); up = up.parent) {
    if (
      ts.isCallExpression(up) &&
      ts.isPropertyAccessExpression(up.expression) &&
      /^(info|warn|error|debug|trace|fatal)$/.test(up.expression.name.text)
    )
      return true;
    if (ts.isNewExpression(up) && /^(Error|TypeError|RangeError)$/.test(up.expression.getText(source))) return true;
    if (ts.isFunctionLike(up)) break;
  }
  return false;
}

function isFieldNote(node: ts.Node, source: ts.SourceFile): boolean {
  const property = node.parent;
  if (!ts.isPropertyAssignment(property) || property.name.getText(source) !== 'message') return false;
  for (let up: ts.Node | undefined = property.parent; up && !ts.isSourceFile(up); up = up.parent) {
    if (ts.isPropertyAssignment(up) && ['fields', 'validation'].includes(up.name.getText(source))) return true;
    if (ts.isFunctionLike(up)) break;
  }
  return false;
}

/** Reviewed exceptions: not sentences for people, though they look like some. */
const REVIEWED = [
  // URLs and units shown as examples or next to numbers.
  /: https?:\/\//,
  /: username@$/,
  /: KiB ·$/,
  // The language names of the profile's choice, each in itself.
  /profile\.routes\.tsx:\d+: English$/,
  // OAuth `error_description` (ASCII, RFC 6749 §4.1.2.1), read by the application's developers.
  /console\/oidc\.routes\.tsx:\d+: The consent given earlier was revoked\.$/,
  // The OpenAPI description of an operation's scope (developers).
  /src\/http\/app\.ts:\d+: API tokens need the scope/,
  // A validation refusal's per-field notes (they name JSON paths), passed through a helper.
  /client-rules\.ts:\d+: (at least one URI|must be 1 to 100 printable characters)$/,
  // A webhook delivery's technical note for the receiver's developers, like an HTTP status.
  /src\/domain\/webhooks\/(delivery|send)\.ts:\d+: /,
  // The actor's label when the server's operator acted (the CLI); the mail catalogue words it per language.
  /operator\.service\.ts:\d+: The operator of this service$/,
];

describe('no user-facing sentence is left in code outside the catalogues', () => {
  it('src/ speaks to people only through src/i18n and the console catalogue', () => {
    const files = sourceFiles(path.join(ROOT, 'src'))
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !CATALOGUES.some((re) => re.test(file)) && !OPERATOR_ONLY.some((re) => re.test(file)));
    const found = files
      .flatMap((file) => sentencesIn(path.join(ROOT, file)))
      .filter((line) => !REVIEWED.some((re) => re.test(line)));
    expect(found).toEqual([]);
  });
});
