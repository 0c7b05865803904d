/**
 * Hostile input: random mutations of real fixtures, random bytes, huge files, deep nesting, broken
 * encodings, NUL, BOM, CRLF, astral/CJK characters, unterminated quotes and comments.
 *
 * The engine promises: it never throws, every finding points inside the text (valid line, column,
 * start/end indices), and one broken statement hides nothing else. Expected positions in the
 * explicit cases are computed by hand from the SQL strings, never from the program's output.
 *
 * Property tests are bounded (numRuns ≤ 200, wall-clock cap per property); set FC_SEED to replay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../src/engine/lint.ts';
import type { RunnerId } from '../src/source/runners.ts';
import type { FileResult, Finding } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions, lintText, ROOT } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

const FIXTURES = path.join(ROOT, 'fixtures');
const KNOWN_RULES = new Set([...RULES.map((r) => r.id), 'parse-error', 'invalid-ignore', 'unused-ignore']);

/** Property wall-clock cap: a slow run fails the property, whatever the seed. */
const PROPERTY_TIME_LIMIT_MS = 20_000;
const PROPERTY_TEST_TIMEOUT_MS = 30_000;
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;

function fcParams(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns,
    interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
    markInterruptAsFailure: true,
    ...(SEED !== undefined && !Number.isNaN(SEED) ? { seed: SEED } : {}),
  };
}

function walkSql(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkSql(full, out);
    else if (e.name.endsWith('.sql')) out.push(full);
  }
  return out;
}

const FIXTURE_FILES = walkSql(FIXTURES, []).sort();
const FIXTURE_TEXTS = FIXTURE_FILES.map((f) => fs.readFileSync(f, 'utf8'));

/**
 * Independent oracle: 1-based line and UTF-16 column of a string index (lines split on \n only). A
 * leading BOM is not a character editors show or count (VS Code, SARIF viewers): line 1's columns
 * start after it.
 */
class Lines {
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

function describeFinding(f: Finding): string {
  return `${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn} [${f.start},${f.end}) ${f.message.slice(0, 120)}`;
}

/** The invariants every result must satisfy, whatever the input. */
function checkInvariants(text: string, result: FileResult): void {
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
async function lintChecked(text: string, overrides: Parameters<typeof lintText>[1] = {}, input: Parameters<typeof lintText>[2] = {}): Promise<FileResult> {
  let result: FileResult;
  try {
    result = await lintText(text, overrides, input);
  } catch (e) {
    throw new Error(`analyzeSql threw on ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…(${text.length} chars)` : text)}: ${(e as Error)?.stack ?? e}`);
  }
  checkInvariants(text, result);
  return result;
}

function brief(result: FileResult): string[] {
  return result.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);
}

beforeAll(async () => {
  // Loads the WASM parser once (lintText awaits it too).
  await lintText('SELECT 1;');
});

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Tokens that change how a lexer reads everything after them. */
const HOSTILE_SNIPPETS = [
  "'", '"', '$$', '$a$', '$1', '/*', '*/', '--', ';', '(', ')', '\n', '\r', '\r\n', '\\', '\\set x 1\n',
  "E'", "\\'", "''", 'BEGIN ATOMIC', 'END', 'CASE', 'BEGIN;', 'COMMIT;', 'CONCURRENTLY', '{{', '}}', '{%',
  '-- zerodown-ignore index-not-concurrent\n', '-- +goose Up\n', '-- migrate:down\n', '--> statement-breakpoint\n',
  'é', '日本', '🎉', '\ud83c', '\udf89', '\ud800', '\udfff', '\uFEFF', '\u0000', '\u2028', '\u00a0', ',', ' ',
];

const hostileChunk: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SNIPPETS) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }) },
);

type Mutation =
  | { kind: 'insert'; at: number; s: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replace'; at: number; len: number; s: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; other: number; at: number; from: number; len: number }
  | { kind: 'duplicate'; at: number; len: number };

const pos = fc.nat({ max: 1_000_000 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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

function applyMutation(text: string, m: Mutation): string {
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

const RUNNER_CHOICES: (RunnerId | null)[] = [null, null, null, 'flyway', 'knex', 'psql', 'goose', 'prisma'];
const PATH_CHOICES = ['migration.sql', '001_add.up.sql', '001_add.down.sql', 'V2__add.sql', 'db/deploy/add.sql', 'migrations/20240101000000_x/migration.sql'];

const lintSetup = fc.record({
  pgVersion: fc.constantFrom(10, 11, 12, 13, 14, 15, 16, 17, 18),
  runner: fc.constantFrom(...RUNNER_CHOICES),
  path: fc.constantFrom(...PATH_CHOICES),
  down: fc.constantFrom('same' as const, 'warning' as const, 'off' as const),
  reportUnusedIgnores: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------
// (a) + (b): never throws, positions always valid
// ---------------------------------------------------------------------------------------------

describe('property: mutated fixtures and random bytes', () => {
  it('reads the fixture corpus', () => {
    expect(FIXTURE_TEXTS.length).toBeGreaterThan(20);
  });

  it(
    '(a) random mutations of real fixture SQL never throw and keep positions valid',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: FIXTURE_TEXTS.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 8 }),
          lintSetup,
          async (fileIndex, mutations, setup) => {
            let text = FIXTURE_TEXTS[fileIndex];
            for (const m of mutations) text = applyMutation(text, m);
            await lintChecked(
              text,
              { pgVersion: setup.pgVersion, runner: setup.runner, down: setup.down, reportUnusedIgnores: setup.reportUnusedIgnores },
              { path: setup.path },
            );
          },
        ),
        fcParams(200),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    '(a\') two fixtures spliced at random points, then mutated',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: FIXTURE_TEXTS.length - 1 }),
          fc.nat({ max: FIXTURE_TEXTS.length - 1 }),
          pos,
          pos,
          fc.array(mutation, { maxLength: 3 }),
          async (a, b, cutA, cutB, mutations) => {
            const ta = FIXTURE_TEXTS[a];
            const tb = FIXTURE_TEXTS[b];
            let text = ta.slice(0, cutA % (ta.length + 1)) + tb.slice(cutB % (tb.length + 1));
            for (const m of mutations) text = applyMutation(text, m);
            await lintChecked(text);
          },
        ),
        fcParams(100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  const SQLISH_BYTES = [...Buffer.from("CREATEINDEXALTERTABLEONt(a);,'\"$/*-\n\r\\ E0"), 0x00, 0xc3, 0xa9, 0xe6, 0x97, 0xa5, 0xf0, 0x9f, 0x8e, 0x89, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0xef, 0xbb, 0xbf];

  it(
    '(b) random byte strings decoded as UTF-8 never throw and keep positions valid',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 600 }),
            fc.array(fc.constantFrom(...SQLISH_BYTES), { maxLength: 600 }).map((a) => Uint8Array.from(a)),
            // Random bytes dropped into a real fixture's bytes.
            fc
              .tuple(fc.nat({ max: FIXTURE_TEXTS.length - 1 }), pos, fc.uint8Array({ minLength: 1, maxLength: 16 }))
              .map(([i, at, bytes]) => {
                const buf = Buffer.from(FIXTURE_TEXTS[i], 'utf8');
                const cut = at % (buf.length + 1);
                return Uint8Array.from(Buffer.concat([buf.subarray(0, cut), bytes, buf.subarray(cut)]));
              }),
          ),
          async (bytes) => {
            const text = Buffer.from(bytes).toString('utf8');
            await lintChecked(text);
          },
        ),
        fcParams(200),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// (c) one corrupted statement hides nothing else
// ---------------------------------------------------------------------------------------------

/** Single-line versions of the fixtures' statements (comments dropped, whitespace collapsed). */
function fixtureStatements(): string[] {
  const out = new Set<string>();
  for (const text of FIXTURE_TEXTS) {
    let buf: string[] = [];
    for (const line of text.split('\n')) {
      // Fixture SQL has no `--` inside strings; comments carry the expectations and annotations.
      const code = line.replace(/--.*$/, '').trim();
      if (!code) continue;
      buf.push(code);
      if (code.endsWith(';')) {
        out.add(buf.join(' ').replace(/\s+/g, ' '));
        buf = [];
      }
    }
  }
  return [...out];
}

/** Syntax-error garbage with no quote, comment, dollar, backslash, template or `;` characters. */
const GARBAGE_PREFIXES = ['SELECT FROM ((', 'GARBAGE', 'ALTER TABLE ,', 'CREATE INDEX ON ON', 'SELECT * FROM WHERE', 'é日本 🎉'];
const GARBAGE_TOKENS = [
  'a', 'b1', 'users', 'FROM', 'WHERE', 'INDEX', 'TABLE', 'ALTER', 'CREATE', 'ON', 'int', '1', '42', '+', '*', '=', '<>',
  ',', '.', '(', ')', '[', ']', 'é', '日本', '🎉', 'NULL', 'NOT', 'CONCURRENTLY', 'BEGIN', 'COMMIT', 'END', 'CASE', ':x',
];
const garbage: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...GARBAGE_PREFIXES), fc.array(fc.constantFrom(...GARBAGE_TOKENS), { maxLength: 12 }))
  .map(([prefix, tokens]) => {
    const body = [prefix, ...tokens].join(' ');
    // More `(` than `)`: no token sequence can make this valid SQL.
    const closes = (body.match(/\)/g) ?? []).length;
    return `${body} ${'('.repeat(closes + 2)} ;`;
  });

function findingKey(f: Finding): string {
  return `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId} ${f.severity} ${f.message}`;
}

const SQL_WORDS = new Set(
  (
    'add all alter always analyze and as asc at atomic attach begin bigint bigserial boolean btree by cascade check collate column ' +
    'commit concurrently constraint create current_timestamp data database default deferrable delete desc detach distinct do domain drop ' +
    'end enum exists extension false for foreign from full function generated gin gist identity if in index inherit insert int integer ' +
    'into is jsonb key language limit lock mode no not null numeric of on only or owner partition primary privileges ' +
    'references refresh reindex rename replace returns rollback schema select sequence serial set share smallint stored table ' +
    'text timestamp timestamptz to transaction trigger true truncate type unique update using uuid vacuum valid validate value values ' +
    'varchar view virtual where with without zone time char character varying double precision real bigint'
  ).split(' '),
);

/** Names a pool statement mentions (tables, columns, indexes, types, functions…), minus SQL keywords. */
function namesOf(stmt: string): string[] {
  const noStrings = stmt.replace(/'(?:[^']|'')*'/g, ' ');
  return [...noStrings.matchAll(/"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*)/g)]
    .map((m) => (m[1] ?? m[2]).toLowerCase())
    .filter((w) => !SQL_WORDS.has(w));
}

/** Transaction control and session settings change how later statements are judged. */
const SESSION_STATEMENT = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION|SET|RESET|DISCARD)\b|set_config/i;

/** Keeps statements that share no name with an earlier kept statement: no schema or session coupling. */
function independent(stmts: string[]): string[] {
  const seen = new Set<string>();
  return stmts.filter((s) => {
    if (SESSION_STATEMENT.test(s)) return false;
    const names = namesOf(s);
    if (names.some((n) => seen.has(n))) return false;
    for (const n of names) seen.add(n);
    return true;
  });
}

let poolCache: string[] | undefined;

/** Fixture statements that fail on their own (default options), every finding on their one line. */
async function failingPool(): Promise<string[]> {
  if (poolCache) return poolCache;
  const pool: string[] = [];
  for (const stmt of fixtureStatements()) {
    // Templated statements (Go {{ }}, Flyway ${}, psql :var) change how the whole file is read: they
    // have their own tests (test/templates.test.ts), not this property's plain-SQL assumption.
    if (/\{\{|\$\{|(^|[^:]):['"A-Za-z_]/.test(stmt)) continue;
    // REINDEX SCHEMA/DATABASE/SYSTEM name the tables earlier statements created: context by design.
    if (/^\s*REINDEX\s+(\(.*?\)\s*)?(SCHEMA|DATABASE|SYSTEM)\b/i.test(stmt)) continue;
    const r = await lintText(stmt);
    if (r.findings.length > 0 && r.findings.every((f) => f.ruleId !== 'parse-error' && f.line === 1 && f.endLine === 1)) pool.push(stmt);
  }
  poolCache = pool.sort();
  return poolCache;
}

/**
 * Rules that keep file-level state in ctx.memo (e.g. "report once per file"): corrupting the
 * statement they reported on legitimately moves their finding to a later statement.
 */
const FILE_STATEFUL_RULES = RULES.filter((r) => {
  const file = path.join(ROOT, 'rules', `${r.id}.ts`);
  return fs.existsSync(file) && /\bmemo\b/.test(fs.readFileSync(file, 'utf8'));
}).map((r) => r.id);

describe('property: untouched statements keep their findings', () => {
  let pool: string[] = [];

  beforeAll(async () => {
    pool = await failingPool();
  });

  it('has a pool of failing fixture statements', () => {
    expect(pool.length).toBeGreaterThanOrEqual(6);
    expect(pool.some((s) => /CREATE (UNIQUE )?INDEX/i.test(s))).toBe(true);
    expect(pool.some((s) => /SET NOT NULL/i.test(s))).toBe(true);
    expect(pool.some((s) => /ADD COLUMN/i.test(s))).toBe(true);
  });

  it(
    '(c) corrupting one statement changes only that statement\'s line, which gets a parse-error',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(pool, { minLength: 2, maxLength: Math.min(pool.length, 12) }).map(independent).filter((a) => a.length >= 2),
          fc.nat(),
          garbage,
          async (stmts, which, junk) => {
            const k = which % stmts.length;
            const line = k + 1;
            const original = stmts.map((s) => `${s}\n`).join('');
            const corrupted = stmts.map((s, i) => `${i === k ? junk : s}\n`).join('');
            // The same file with the statement absent (a blank line keeps every line number).
            const absent = stmts.map((s, i) => `${i === k ? '' : s}\n`).join('');

            const before = await lintChecked(original);
            const after = await lintChecked(corrupted);
            const reference = await lintChecked(absent);
            const offLine = (r: FileResult, keep: (f: Finding) => boolean = () => true): string[] =>
              r.findings.filter((f) => f.line !== line && keep(f)).map(findingKey).sort();

            // The uncorrupted file: every statement parsed, no parse error.
            expect(before.findings.filter((f) => f.ruleId === 'parse-error').map(describeFinding)).toEqual([]);
            expect(before.statements).toBe(stmts.length);
            expect(after.statements).toBe(stmts.length - 1);

            // Exactly one parse-error on the corrupted line, nothing else there.
            expect(after.findings.filter((f) => f.line === line).map((f) => f.ruleId)).toEqual(['parse-error']);

            // Every other line: exactly the uncorrupted file's findings (rules with file-level
            // "report once" state excluded: their finding may legitimately move to another statement).
            const perStatement = (f: Finding): boolean => !FILE_STATEFUL_RULES.includes(f.ruleId);
            expect(offLine(after, perStatement)).toEqual(offLine(before, perStatement));

            // Every other line, all rules: exactly as if the broken statement were not in the file.
            expect(offLine(after)).toEqual(offLine(reference));
          },
        ),
        fcParams(100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});

/** A block comment of valid, non-ASCII-heavy Unicode (no newline, NUL, `*` or `/`), plus spacing. */
const unicodeComment: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({
      unit: fc.oneof(
        fc.constantFrom('é', 'Ü', '日', '本', '🎉', '𝔘', '\u00a0', '\u2028', '\uFEFF', ' ', '\t', 'a', "'", '"', '$', '-'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !/[\n\r\u0000*/]/.test(c)),
      ),
      maxLength: 10,
    }),
    fc.constantFrom('', ' ', '\t', '  '),
  )
  .map(([body, pad]) => `/*${body}*/${pad}`);

describe('property: non-ASCII before a statement and CRLF shift positions exactly', () => {
  let pool: string[] = [];

  beforeAll(async () => {
    pool = await failingPool();
  });

  it(
    '(d) a block comment of astral/CJK/accented text before each statement moves its findings right by the comment\'s UTF-16 length; CRLF changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(pool, { minLength: 1, maxLength: Math.min(pool.length, 8) }),
          fc.array(fc.option(unicodeComment, { nil: '' }), { minLength: 8, maxLength: 8 }),
          fc.boolean(),
          async (stmts, prefixes, crlf) => {
            const eol = crlf ? '\r\n' : '\n';
            const plain = stmts.map((s) => `${s}\n`).join('');
            const padded = stmts.map((s, i) => `${prefixes[i]}${s}${eol}`).join('');
            const before = await lintChecked(plain);
            const after = await lintChecked(padded);
            const expected = before.findings.map((f) => {
              const shift = prefixes[f.line - 1].length;
              return `${f.line}:${f.column + shift}-${f.endLine}:${f.endColumn + shift} ${f.ruleId} ${f.message}`;
            });
            const actual = after.findings.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId} ${f.message}`);
            expect(actual.sort()).toEqual(expected.sort());
            expect(after.statements).toBe(before.statements);
          },
        ),
        fcParams(100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// Explicit hostile cases
// ---------------------------------------------------------------------------------------------

/**
 * The explicit cases assert exact findings, so they run the three core hazard rules only (other
 * rules, e.g. lock-timeout-missing, would add findings unrelated to what each case tests).
 * parse-error is reported by the engine and always on.
 */
const CORE_RULES = ['index-not-concurrent', 'add-column-rewrite', 'set-not-null-scan'];
const CORE: Parameters<typeof lintText>[1] = {
  rules: new Map(RULES.filter((r) => !CORE_RULES.includes(r.id)).map((r) => [r.id, 'off' as const])),
};

function lintCore(text: string): Promise<FileResult> {
  return lintChecked(text, CORE);
}

it('the core rules exist', () => {
  for (const id of CORE_RULES) expect(RULES.map((r) => r.id)).toContain(id);
});

describe('huge input', () => {
  it(
    'a ~20 MB file of ADD COLUMNs with a few hazards completes with the right statement count and findings',
    async () => {
      const parts: string[] = ['CREATE INDEX h_first ON t (a);\n'];
      let length = parts[0].length;
      let n = 0;
      const middle = 250_000;
      let middleLine = 0;
      while (length < 20_000_000) {
        const s = `ALTER TABLE t ADD COLUMN c${n} int;\n`;
        parts.push(s);
        length += s.length;
        n++;
        if (n === middle) {
          parts.push('ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n');
          middleLine = parts.length; // 1-based line of the pushed hazard
        }
      }
      parts.push('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n');
      const lastLine = parts.length;
      const text = parts.join('');
      expect(text.length).toBeGreaterThan(20_000_000);
      expect(middleLine).toBeGreaterThan(0);

      const result = await lintCore(text);
      expect(result.statements).toBe(n + 3);
      expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([
        [1, 'index-not-concurrent'],
        [middleLine, 'add-column-rewrite'],
        [lastLine, 'set-not-null-scan'],
      ]);
    },
    120_000,
  );

  it(
    '200,000 tiny statements (2 MB) do not overflow the stack',
    async () => {
      const text = 'SELECT 1;\n'.repeat(200_000) + 'CREATE INDEX i ON t (a);\n';
      const result = await lintCore(text);
      expect(result.statements).toBe(200_001);
      expect(brief(result)).toEqual(['200001:1 index-not-concurrent']);
    },
    60_000,
  );

  it(
    '200,000 comment lines do not overflow the stack',
    async () => {
      const text = '-- note\n'.repeat(200_000) + 'CREATE INDEX i ON t (a);\n';
      const result = await lintCore(text);
      expect(result.statements).toBe(1);
      expect(brief(result)).toEqual(['200001:1 index-not-concurrent']);
    },
    60_000,
  );
});

describe('deep nesting', () => {
  it('10,000-deep parentheses: no exception, valid positions, the next statement still analyzed', async () => {
    const depth = 10_000;
    const text = `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    // Either a parse error (Postgres' parser stack limit) on line 1, or nothing on line 1.
    for (const f of result.findings.filter((x) => x.line === 1)) expect(f.ruleId).toBe('parse-error');
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
    // The parser still works afterwards.
    expect(brief(await lintCore('CREATE INDEX j ON t (b);'))).toEqual(['1:1 index-not-concurrent']);
  });

  it('100,000 unclosed parentheses and 5,000 nested block comments: no exception', async () => {
    await lintCore(`SELECT ${'('.repeat(100_000)}1;\nCREATE INDEX i ON t (a);\n`);
    // (The PostgreSQL scanner is quadratic in comment nesting: 20,000 levels take seconds.)
    const comments = `${'/*'.repeat(5_000)}${'*/'.repeat(5_000)}\nCREATE INDEX i ON t (a);\n`;
    const r = await lintCore(comments);
    expect(brief(r)).toEqual(['2:1 index-not-concurrent']);
  });

  it('a valid 5,000-term expression (left-deep AST) does not throw and the next statement is analyzed', async () => {
    const text = `SELECT 1${' + 1'.repeat(5_000)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
  });

  it('a 3,000-deep ARRAY[...] does not throw', async () => {
    const text = `SELECT ${'ARRAY['.repeat(3_000)}1${']'.repeat(3_000)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
  });
});

describe('encodings and control characters', () => {
  it('invalid UTF-8 bytes (0xff 0xfe 0xc3) decode to U+FFFD and positions count them as one unit each', async () => {
    const bytes = Buffer.concat([
      Buffer.from('SELECT 1 AS x'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(';\n/* '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(' */ CREATE INDEX i ON t (a);\n'),
    ]);
    const text = bytes.toString('utf8');
    // Line 2: "/* " (3) + U+FFFD "(" U+FFFD (3: 0xc3 0x28 is FFFD then "(") + " */ " (4) → CREATE at index 10, column 11.
    expect(text.split('\n')[1].indexOf('CREATE')).toBe(10);
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['2:11 index-not-concurrent']);
  });

  it('NUL inside a statement: a parse-error naming NUL on that statement, the others still analyzed', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT 1\u0000;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:9 parse-error', '3:1 index-not-concurrent']);
    expect(result.findings[1].message).toMatch(/NUL/);
  });

  it('NUL inside a hazardous statement turns it into a parse-error (Postgres would reject it)', async () => {
    const text = 'CREATE INDEX b ON t (\u0000b);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n';
    const result = await lintCore(text);
    // "CREATE INDEX b ON t (" is 21 units: NUL at column 22. The SET NOT NULL finding points at its
    // subcommand: "ALTER TABLE users " is 18 units → column 19.
    expect(brief(result)).toEqual(['1:22 parse-error', '2:19 set-not-null-scan']);
    expect(result.findings[0].message).toMatch(/NUL/);
  });

  it('a file that is only a BOM has no statements and no findings', async () => {
    const result = await lintCore('\uFEFF');
    expect(result.statements).toBe(0);
    expect(brief(result)).toEqual([]);
  });

  it('a BOM before the first statement does not hide its hazard (analyzeSql / --stdin / API path)', async () => {
    const text = '\uFEFFCREATE INDEX i ON t (a);\n';
    const result = await lintCore(text);
    expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([[1, 'index-not-concurrent']]);
  });

  it('a BOM-only file and a BOM-prefixed file read from disk (readSql path)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-hostile-'));
    try {
      fs.writeFileSync(path.join(dir, 'only-bom.sql'), Buffer.from([0xef, 0xbb, 0xbf]));
      fs.writeFileSync(path.join(dir, 'bom-index.sql'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('CREATE INDEX i ON t (a);\n')]));
      const report = await lintPaths([dir], RULES, { ...engineOptions(CORE), pgVersionSource: 'test', detectRunner: false }, { cwd: dir });
      expect(report.fatal).toEqual([]);
      const byName = new Map(report.files.map((f) => [path.basename(f.path), f]));
      expect(byName.get('only-bom.sql')?.findings).toEqual([]);
      expect(byName.get('bom-index.sql')?.findings.map((f) => [f.line, f.ruleId])).toEqual([[1, 'index-not-concurrent']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CRLF line endings: lines and columns are right on later lines', async () => {
    const text = 'SELECT 1;\r\n  CREATE INDEX i ON t (a);\r\nALTER TABLE t ALTER COLUMN c ADD NOT NULL;\r\n';
    const result = await lintCore(text);
    // Line 2: two spaces, then CREATE (column 3) .. "CREATE INDEX" is 12 units → end column 15.
    // Line 3: ALTER COLUMN c ADD GENERATED … is valid grammar, so Postgres stops at NOT:
    // "ALTER TABLE t ALTER COLUMN c ADD " is 33 units → column 34, "NOT" ends at column 37.
    expect(result.findings.map((f) => [f.line, f.column, f.endLine, f.endColumn, f.ruleId])).toEqual([
      [2, 3, 2, 15, 'index-not-concurrent'],
      [3, 34, 3, 37, 'parse-error'],
    ]);
    expect(result.findings[1].message).toMatch(/"NOT"/);
  });

  it('an emoji in a comment on the line before: finding at line 2, column 1', async () => {
    const text = '-- 🎉\nCREATE INDEX i ON t(a);';
    const result = await lintCore(text);
    // "-- " (3) + 🎉 (2 UTF-16 units) + "\n" → CREATE at index 6.
    expect(result.findings.map((f) => [f.line, f.column, f.start, f.ruleId])).toEqual([[2, 1, 6, 'index-not-concurrent']]);
  });

  it('CJK in a block comment before the hazard on the same line: column 10', async () => {
    const text = '/* 日本 */ CREATE INDEX i ON t(a);';
    const result = await lintCore(text);
    // "/* " (3) + 日本 (2) + " */ " (4) → CREATE at index 9, column 10.
    expect(result.findings.map((f) => [f.line, f.column, f.start, f.ruleId])).toEqual([[1, 10, 9, 'index-not-concurrent']]);
  });

  it('emoji and CJK inside the hazardous statement itself: the finding on the next line is exact', async () => {
    const text = "SELECT '🎉日本🎉' AS \"é\";   CREATE INDEX \"索引🎉\" ON t (a); CREATE INDEX j ON t (b);\n";
    const result = await lintCore(text);
    // SELECT '🎉日本🎉' AS "é"; → 7 + 1 + 2+2+2 + 1 + 4 + 3 + 1 = 23 units, + 3 spaces → CREATE at 26 (column 27).
    // CREATE INDEX "索引🎉" ON t (a); → 13 + ("索引🎉" = 1+2+2+1 = 6) + 10 = 29 units, + 1 space → next CREATE at 56 (column 57).
    expect(text.indexOf('CREATE')).toBe(26);
    expect(text.lastIndexOf('CREATE')).toBe(56);
    expect(result.findings.map((f) => [f.line, f.column, f.ruleId])).toEqual([
      [1, 27, 'index-not-concurrent'],
      [1, 57, 'index-not-concurrent'],
    ]);
  });

  it('non-ASCII text whose length is an exact multiple of 256 keeps exact positions', async () => {
    // "SELECT 'é';\n" (12) + "-- " (3) + n × "x" + "\n" (1) + "CREATE INDEX i ON t (a);" (24): length 40 + n.
    // The hazard is always line 3, column 1, whatever the length.
    for (const length of [255, 256, 257, 511, 512, 513, 768]) {
      const text = `SELECT 'é';\n-- ${'x'.repeat(length - 40)}\nCREATE INDEX i ON t (a);`;
      expect(text.length).toBe(length);
      expect(brief(await lintCore(text)), `length ${length}`).toEqual(['3:1 index-not-concurrent']);
    }
  });

  it('lone surrogates never throw and positions stay valid', async () => {
    const cases: [string, string[]][] = [
      ["SELECT '\ud800';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ["SELECT '\udc00x';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ["SELECT '\ud800日本';\nCREATE INDEX i ON t(a);\n", ['2:1 index-not-concurrent']],
      // A lone surrogate where a statement starts is garbage: a parse error on it alone.
      ['\ud83c;\nCREATE INDEX i ON t(a);', ['1:1 parse-error', '2:1 index-not-concurrent']],
      // "CREATE INDEX i ON t(a);" is 23 units → the trailing surrogate is at column 24.
      ['CREATE INDEX i ON t(a);\ud800', ['1:1 index-not-concurrent', '1:24 parse-error']],
    ];
    for (const [text, expected] of cases) expect(brief(await lintCore(text)), JSON.stringify(text)).toEqual(expected);
  });

  it('a lone surrogate followed by non-ASCII text does not cause a false parse-error', async () => {
    // A client sends a lone surrogate as U+FFFD (valid UTF-8): these statements are valid SQL.
    const cases: [string, string[]][] = [
      ["SELECT '\ud800日本';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ['CREATE INDEX "\ud800日本" ON t(a);\nCREATE INDEX j ON t(a);', ['1:1 index-not-concurrent', '2:1 index-not-concurrent']],
    ];
    for (const [text, expected] of cases) expect(brief(await lintCore(text)), JSON.stringify(text)).toEqual(expected);
  });
});

describe('quotes, comments and parameters', () => {
  it('unterminated dollar quote: parse-error where it opens, statements before it still analyzed', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT $$abc;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // "SELECT " is 7 units → the $$ is at column 8. Everything after is inside the open quote.
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:8 parse-error']);
    expect(result.findings[1].message).toMatch(/unterminated dollar-quoted string/);
  });

  it('unterminated tagged dollar quote ($fn$) whose closing tag differs', async () => {
    const text = 'CREATE INDEX a ON t (a);\nDO $fn$ BEGIN NULL; END $other$;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // "DO " is 3 units → $fn$ at column 4.
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:4 parse-error']);
  });

  it('unterminated block comment: parse-error where it opens', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT /* abc;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:8 parse-error']);
    expect(result.findings[1].message).toMatch(/unterminated \/\* comment/);
  });

  it('nested block comments: a comment left open by nesting swallows the rest', async () => {
    const closed = 'SELECT 1 /* a /* b */ c */;\nCREATE INDEX b ON t (b);\n';
    expect(brief(await lintCore(closed))).toEqual(['2:1 index-not-concurrent']);
    const open = 'CREATE INDEX a ON t (a);\nSELECT 1 /* a /* b */;\nCREATE INDEX b ON t (b);\n';
    // "SELECT 1 " is 9 units → the comment opens at column 10; the inner */ closes only the inner one.
    expect(brief(await lintCore(open))).toEqual(['1:1 index-not-concurrent', '2:10 parse-error']);
  });

  it('$1 parameters and $ inside identifiers are not dollar quotes', async () => {
    const text = 'PREPARE p (int, int) AS SELECT $1 + $2;\nSELECT a$1 FROM t$x WHERE b = $1;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // Line 2 has $1 outside PREPARE: Postgres rejects "there is no parameter $1" only at execution, the parser accepts it.
    expect(brief(result)).toEqual(['3:1 index-not-concurrent']);
  });

  it("E'' strings with escaped quotes do not swallow the next statement", async () => {
    const text = "SELECT E'it\\'s; fine';\nCREATE INDEX b ON t (b);\n";
    expect(text.split('\n')[0]).toBe("SELECT E'it\\'s; fine';");
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['2:1 index-not-concurrent']);
    expect(result.statements).toBe(2);
  });

  it("E'' variants: lowercase e, escaped backslash before the closing quote, and a standard string ending in a backslash", async () => {
    const text = [
      "SELECT e'a\\\\';", // e'a\\' : escaped backslash, then the closing quote
      "SELECT E'x\\'' || 'y;z';", // E'x\'' : escaped quote, then closing quote
      "SELECT 'c:\\';", // standard_conforming_strings: the backslash is literal
      'CREATE INDEX b ON t (b);',
      '',
    ].join('\n');
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['4:1 index-not-concurrent']);
    expect(result.statements).toBe(4);
  });

  it("a broken statement after an E'' string: parse-error on it, hazard after it still found", async () => {
    const text = "SELECT E'it\\'s; fine';\nSELECT FROM (( ;\nCREATE INDEX b ON t (b);\n";
    const result = await lintCore(text);
    expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([
      [2, 'parse-error'],
      [3, 'index-not-concurrent'],
    ]);
  });
});
