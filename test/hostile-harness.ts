/**
 * Shared harness for test/hostile-*.test.ts: the fixtures, the engine's invariants on any input
 * (never throws, every finding points inside the text) and the fast-check arbitraries.
 * Property tests are bounded (numRuns ≤ 200, wall-clock cap per property); set FC_SEED to replay.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, expect } from 'vitest';
import type { RunnerId } from '../src/source/runners.ts';
import type { FileResult, Finding } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { lintText, ROOT } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

export const FIXTURES = path.join(ROOT, 'fixtures');
export const KNOWN_RULES = new Set([...RULES.map((r) => r.id), 'parse-error', 'invalid-ignore', 'unused-ignore']);

/** Property wall-clock cap: a slow run fails the property, whatever the seed. */
export const PROPERTY_TIME_LIMIT_MS = 20_000;
export const PROPERTY_TEST_TIMEOUT_MS = 30_000;
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;

export function fcParams(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns,
    interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
    markInterruptAsFailure: true,
    ...(SEED !== undefined && !Number.isNaN(SEED) ? { seed: SEED } : {}),
  };
}

export function walkSql(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkSql(full, out);
    else if (e.name.endsWith('.sql')) out.push(full);
  }
  return out;
}

export const FIXTURE_FILES = walkSql(FIXTURES, []).sort();
export const FIXTURE_TEXTS = FIXTURE_FILES.map((f) => fs.readFileSync(f, 'utf8'));

/**
 * Independent oracle: 1-based line and UTF-16 column of a string index (lines split on \n only). A
 * leading BOM is not a character editors show or count (VS Code, SARIF viewers): line 1's columns
 * start after it.
 */
export class Lines {
  private readonly starts: number[] = [0];
  private readonly bom: boolean;
  constructor(text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(index: number): { line: number; column: number } {
    // Binary search for the last line start <= index.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - this.starts[lo] + 1 - (lo === 0 && this.bom && index > 0 ? 1 : 0) };
  }
}

export function describeFinding(f: Finding): string {
  return `${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn} [${f.start},${f.end}) ${f.message.slice(0, 120)}`;
}

/** The invariants every result must satisfy, whatever the input. */
export function checkInvariants(text: string, result: FileResult): void {
  const lines = text.split('\n');
  const oracle = result.findings.length ? new Lines(text) : undefined;
  expect(Number.isInteger(result.statements) && result.statements >= 0, `statements=${result.statements}`).toBe(true);
  expect(Array.isArray(result.findings)).toBe(true);
  for (const f of result.findings) {
    const where = describeFinding(f);
    expect(KNOWN_RULES.has(f.ruleId), `unknown rule: ${where}`).toBe(true);
    expect(['error', 'warning'], where).toContain(f.severity);
    expect(typeof f.message === 'string' && f.message.length > 0, where).toBe(true);
    for (const n of [f.line, f.column, f.endLine, f.endColumn, f.start, f.end]) {
      expect(Number.isInteger(n), `non-integer position: ${where}`).toBe(true);
    }
    // Lines and columns.
    expect(f.line, where).toBeGreaterThanOrEqual(1);
    expect(f.line, where).toBeLessThanOrEqual(lines.length);
    expect(f.column, where).toBeGreaterThanOrEqual(1);
    expect(f.column, where).toBeLessThanOrEqual(lines[f.line - 1].length + 1);
    expect(f.endLine, where).toBeGreaterThanOrEqual(f.line);
    expect(f.endLine, where).toBeLessThanOrEqual(lines.length);
    expect(f.endColumn, where).toBeGreaterThanOrEqual(1);
    expect(f.endColumn, where).toBeLessThanOrEqual(lines[f.endLine - 1].length + 1);
    if (f.endLine === f.line) expect(f.endColumn, where).toBeGreaterThanOrEqual(f.column);
    // String indices.
    expect(f.start, where).toBeGreaterThanOrEqual(0);
    expect(f.end, where).toBeGreaterThanOrEqual(f.start);
    expect(f.end, where).toBeLessThanOrEqual(text.length);
    // line/column are the position of start (and end), by an independent count.
    expect({ line: f.line, column: f.column }, where).toEqual(oracle?.position(f.start));
    expect({ line: f.endLine, column: f.endColumn }, where).toEqual(oracle?.position(f.end));
  }
}

/** Lints and checks the invariants; an exception fails with the input attached. */
export async function lintChecked(text: string, overrides: Parameters<typeof lintText>[1] = {}, input: Parameters<typeof lintText>[2] = {}): Promise<FileResult> {
  let result: FileResult;
  try {
    result = await lintText(text, overrides, input);
  } catch (e) {
    throw new Error(`analyzeSql threw on ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…(${text.length} chars)` : text)}: ${(e as Error)?.stack ?? e}`, { cause: e });
  }
  checkInvariants(text, result);
  return result;
}

export function brief(result: FileResult): string[] {
  return result.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Tokens that change how a lexer reads everything after them. */
export const HOSTILE_SNIPPETS = [
  "'", '"', '$$', '$a$', '$1', '/*', '*/', '--', ';', '(', ')', '\n', '\r', '\r\n', '\\', '\\set x 1\n',
  "E'", "\\'", "''", 'BEGIN ATOMIC', 'END', 'CASE', 'BEGIN;', 'COMMIT;', 'CONCURRENTLY', '{{', '}}', '{%',
  '-- zerodown-ignore index-not-concurrent\n', '-- +goose Up\n', '-- migrate:down\n', '--> statement-breakpoint\n',
  'é', '日本', '🎉', '\ud83c', '\udf89', '\ud800', '\udfff', '\uFEFF', '\u0000', '\u2028', '\u00a0', ',', ' ',
];

export const hostileChunk: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SNIPPETS) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }) },
);

export type Mutation =
  | { kind: 'insert'; at: number; s: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replace'; at: number; len: number; s: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; other: number; at: number; from: number; len: number }
  | { kind: 'duplicate'; at: number; len: number };

export const pos = fc.nat({ max: 1_000_000 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: pos, s: hostileChunk }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: pos, len: fc.integer({ min: 1, max: 5 }), s: hostileChunk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: pos }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: pos, from: pos, len: fc.integer({ min: 1, max: 400 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: pos, len: fc.integer({ min: 1, max: 200 }) }) },
);

export function applyMutation(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at) + m.s + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'replace':
      return text.slice(0, at) + m.s + text.slice(at + m.len);
    case 'truncate':
      return text.slice(0, at);
    case 'splice': {
      const other = FIXTURE_TEXTS[m.other % FIXTURE_TEXTS.length];
      const from = m.from % (other.length + 1);
      return text.slice(0, at) + other.slice(from, from + m.len) + text.slice(at);
    }
    case 'duplicate':
      return text.slice(0, at) + text.slice(at, at + m.len) + text.slice(at);
  }
}

export const RUNNER_CHOICES: (RunnerId | null)[] = [null, null, null, 'flyway', 'knex', 'psql', 'goose', 'prisma'];
export const PATH_CHOICES = ['migration.sql', '001_add.up.sql', '001_add.down.sql', 'V2__add.sql', 'db/deploy/add.sql', 'migrations/20240101000000_x/migration.sql'];

export const lintSetup = fc.record({
  pgVersion: fc.constantFrom(10, 11, 12, 13, 14, 15, 16, 17, 18),
  runner: fc.constantFrom(...RUNNER_CHOICES),
  path: fc.constantFrom(...PATH_CHOICES),
  down: fc.constantFrom('same' as const, 'warning' as const, 'off' as const),
  reportUnusedIgnores: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------
// (a) + (b): never throws, positions always valid

/** Loads the WASM parser once per test file (lintText awaits it too). */
export function loadParser(): void {
  beforeAll(async () => {
    // Loads the WASM parser once (lintText awaits it too).
    await lintText('SELECT 1;');
  });
}
