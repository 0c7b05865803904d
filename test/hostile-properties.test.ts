/**
 * Hostile input, property tests: random mutations of real fixtures and random bytes; one corrupted
 * statement hides nothing else; non-ASCII and CRLF shift positions exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileResult, Finding } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { lintText, ROOT } from './helpers.ts';
import { PROPERTY_TEST_TIMEOUT_MS, fcParams, FIXTURE_TEXTS, describeFinding, lintChecked, pos, mutation, applyMutation, lintSetup, loadParser } from './hostile-harness.ts';

loadParser();

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
