#!/usr/bin/env node
// Parser comparison benchmark: libpg-query (PostgreSQL 18 parser in WASM) vs pgsql-ast-parser.
//
// Usage:
//   node bench/parser-compare.mjs [corpusDir] [--json] [--runs N] [--no-timing]
//
// corpusDir defaults to ../shared/corpus/sql relative to the repository root
// (the parent directory of this script's folder). Every *.sql file below it is read;
// the first path segment under corpusDir is the project name.
//
// Method:
//   1. Each file is parsed whole with libpg-query's parseSync. Empty / whitespace-only files
//      and comment-only files count as 0 statements. Files libpg-query rejects are counted
//      as "rejected files"; their statements cannot be split reliably and are not counted.
//   2. Each statement libpg-query accepts is cut out of the file with stmt_location/stmt_len
//      (UTF-8 byte offsets, so the slice is done on a Buffer) and given, on its own, to
//      pgsql-ast-parser's parse(). Success = no exception.
//   3. A fixed list of migration-safety statements is given to both parsers.
//   4. Timing: median of N runs (default 5) after one warm-up run, process.hrtime.bigint().
//
// No dependencies besides the two parsers.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// ---------------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const wantJson = argv.includes('--json');
const noTiming = argv.includes('--no-timing');
let runs = 5;
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--runs') { runs = Math.max(1, Number.parseInt(argv[++i] ?? '5', 10) || 5); continue; }
  if (a.startsWith('--runs=')) { runs = Math.max(1, Number.parseInt(a.slice(7), 10) || 5); continue; }
  if (a === '--help' || a === '-h') {
    console.log('usage: node bench/parser-compare.mjs [corpusDir] [--json] [--runs N] [--no-timing]');
    process.exit(0);
  }
  if (a.startsWith('--')) continue;
  positional.push(a);
}
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = positional[0] ? resolve(positional[0]) : resolve(repoRoot, '../shared/corpus/sql');

// ---------------------------------------------------------------------------------------------
// load parsers (timed: this is the start-up cost a CLI pays once)
// ---------------------------------------------------------------------------------------------
const tLoad0 = process.hrtime.bigint();
const lpq = await import('libpg-query');
await lpq.loadModule();
const tLoad1 = process.hrtime.bigint();
const pap = await import('pgsql-ast-parser');
const papParse = pap.parse ?? pap.default?.parse;
// pgsql-ast-parser compiles its nearley grammar lazily on first parse(); include that in load cost.
try { papParse('SELECT 1'); } catch { /* ignore */ }
const tLoad2 = process.hrtime.bigint();
const lpqParse = lpq.parseSync;

const require = createRequire(import.meta.url);
function pkgVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    // the package may not export ./package.json; read it from node_modules directly
    try {
      return JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch { return 'unknown'; }
  }
}
const versions = {
  node: process.version,
  'libpg-query': pkgVersion('libpg-query'),
  'pgsql-ast-parser': pkgVersion('pgsql-ast-parser'),
};
try { versions.postgresParser = lpqParse('SELECT 1').version; } catch { /* ignore */ }

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------
function walk(dir) {
  const out = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && e.name.toLowerCase().endsWith('.sql')) out.push(p);
    else if (e.isSymbolicLink()) {
      const st = statSync(p);
      if (st.isDirectory()) out.push(...walk(p));
      else if (st.isFile() && e.name.toLowerCase().endsWith('.sql')) out.push(p);
    }
  }
  return out;
}

function isEmptyQueryError(e) {
  return /Query cannot be empty/i.test(String(e?.message ?? e));
}

/** Parse a whole text with libpg-query; returns { ok, stmts, error }. Empty input = 0 statements. */
function lpqParseText(text) {
  if (text.trim() === '') return { ok: true, stmts: [] };
  try {
    return { ok: true, stmts: lpqParse(text).stmts ?? [] };
  } catch (e) {
    if (isEmptyQueryError(e)) return { ok: true, stmts: [] };
    return { ok: false, stmts: [], error: String(e?.message ?? e) };
  }
}

/** Cut each statement out of the UTF-8 bytes of the file. */
function sliceStatements(bytes, stmts) {
  return stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length; // stmt_len 0 = up to end of input
    return bytes.subarray(start, end).toString('utf8');
  });
}

function papTry(text) {
  try {
    const r = papParse(text);
    return { ok: Array.isArray(r) ? r.length > 0 : r != null };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
}

/** Short, groupable reason from a pgsql-ast-parser error message. */
function papReason(msg) {
  if (!msg) return 'parsed to 0 statements';
  const m = /Unexpected ([^\s]+) token: ("(?:[^"\\]|\\.)*")/.exec(msg);
  if (m) return `unexpected ${m[1]} ${m[2].length > 40 ? m[2].slice(0, 37) + '..."' : m[2]}`;
  if (/Unexpected end of input/.test(msg)) return 'unexpected end of input';
  if (/Ambiguous SQL syntax/.test(msg)) return 'ambiguous syntax';
  if (/invalid syntax at line/.test(msg)) return 'lexer: invalid syntax';
  return msg.split('\n')[0].slice(0, 80);
}

const nodeType = (stmtNode) => Object.keys(stmtNode ?? {})[0] ?? '(none)';

/** Detailed kind label for a top-level statement, plus AlterTableCmd subcommand labels. */
function classify(stmtNode) {
  const type = nodeType(stmtNode);
  const n = stmtNode[type] ?? {};
  let kind = type;
  const subs = [];
  switch (type) {
    case 'AlterTableStmt': {
      if (n.objtype && n.objtype !== 'OBJECT_TABLE') kind = `AlterTableStmt (${n.objtype})`;
      for (const c of n.cmds ?? []) {
        const cmd = c.AlterTableCmd ?? {};
        let label = cmd.subtype ?? '?';
        if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) {
          const con = cmd.def.Constraint;
          label += ` ${con.contype}`;
          if (con.indexname) label += ' USING INDEX';
          if (con.skip_validation) label += ' NOT VALID';
        } else if (cmd.subtype === 'AT_AlterColumnType') {
          if (cmd.def?.ColumnDef?.raw_default) label += ' USING';
        } else if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
          const cons = (cmd.def.ColumnDef.constraints ?? []).map((x) => x.Constraint?.contype);
          if (cons.includes('CONSTR_FOREIGN')) label += ' +REFERENCES';
          if (cons.includes('CONSTR_GENERATED')) label += ' +GENERATED';
          if (cons.includes('CONSTR_IDENTITY')) label += ' +IDENTITY';
        }
        subs.push(label);
      }
      break;
    }
    case 'IndexStmt':
      kind = `IndexStmt${n.unique ? ' UNIQUE' : ''}${n.concurrent ? ' CONCURRENTLY' : ''}`;
      break;
    case 'DropStmt':
      kind = `DropStmt ${n.removeType ?? ''}${n.concurrent ? ' CONCURRENTLY' : ''}`.trim();
      break;
    case 'CreateStmt':
      if (n.partbound) kind = 'CreateStmt PARTITION OF';
      else if (n.partspec) kind = 'CreateStmt PARTITION BY';
      else if (n.inhRelations?.length) kind = 'CreateStmt INHERITS';
      break;
    case 'RenameStmt':
      kind = `RenameStmt ${n.renameType ?? ''}`.trim();
      break;
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
      kind = `${type} ${n.objectType ?? ''}`.trim();
      break;
    case 'CommentStmt':
      kind = `CommentStmt ${n.objtype ?? ''}`.trim();
      break;
    case 'ReindexStmt':
      kind = `ReindexStmt${(n.params ?? []).some((p) => p.DefElem?.defname === 'concurrently') ? ' CONCURRENTLY' : ''}`;
      break;
    case 'TransactionStmt':
      kind = `TransactionStmt ${n.kind ?? ''}`.trim();
      break;
    case 'VariableSetStmt':
      kind = `VariableSetStmt${n.is_local ? ' LOCAL' : ''}`;
      break;
    default:
      break;
  }
  return { type, kind, subs };
}

function pct(a, b) {
  return b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`;
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function timeIt(fn) {
  fn(); // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { medianMs: median(samples), samplesMs: samples };
}

// ---------------------------------------------------------------------------------------------
// 1 + 2: corpus
// ---------------------------------------------------------------------------------------------
const files = walk(corpusDir);
if (files.length === 0) {
  console.error(`no .sql files found under ${corpusDir}`);
  process.exit(2);
}

const projects = new Map(); // name -> stats
const kinds = new Map(); // kind -> { total, ok, fail, reasons: Map }
const nodeTypes = new Map(); // libpg-query node type -> { total, ok, fail }
const subcmds = new Map(); // AlterTableCmd label -> { stmts, fail, single, singleFail }
const reasons = new Map(); // reason -> count
const rejectedFiles = [];
const papExamples = new Map(); // kind -> first failing statement (file:stmt#)
const fileTexts = []; // for timing: non-empty file texts
const stmtTexts = []; // for timing: every statement libpg-query accepted
const bothOkTexts = []; // for timing: statements both parsers accept (no error-path cost)

function proj(name) {
  let p = projects.get(name);
  if (!p) {
    p = {
      project: name, files: 0, bytes: 0, emptyFiles: 0, lpqRejectedFiles: 0, statements: 0,
      papAccepted: 0, papFailed: 0, filesWithStatements: 0, papWholeFileAccepted: 0,
    };
    projects.set(name, p);
  }
  return p;
}
function bump(map, key, init) {
  let v = map.get(key);
  if (!v) { v = init(); map.set(key, v); }
  return v;
}

for (const file of files) {
  const rel = relative(corpusDir, file);
  const project = rel.split(sep)[0];
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8'); // the exact bytes libpg-query sees (== bytes for valid UTF-8)
  const p = proj(project);
  p.files++;
  p.bytes += bytes.length;
  if (text.trim() !== '') fileTexts.push(text);

  const r = lpqParseText(text);
  if (!r.ok) {
    p.lpqRejectedFiles++;
    rejectedFiles.push({ file: rel, error: r.error });
    continue;
  }
  if (r.stmts.length === 0) { p.emptyFiles++; continue; }
  p.filesWithStatements++;
  if (papTry(text).ok) p.papWholeFileAccepted++;

  const texts = sliceStatements(utf8, r.stmts);
  r.stmts.forEach((s, i) => {
    const stmtText = texts[i];
    stmtTexts.push(stmtText);
    p.statements++;
    const { type, kind, subs } = classify(s.stmt);
    const res = papTry(stmtText);
    if (res.ok) { p.papAccepted++; bothOkTexts.push(stmtText); } else p.papFailed++;

    const k = bump(kinds, kind, () => ({ total: 0, ok: 0, fail: 0, reasons: new Map() }));
    k.total++;
    const t = bump(nodeTypes, type, () => ({ total: 0, ok: 0, fail: 0 }));
    t.total++;
    if (res.ok) { k.ok++; t.ok++; } else {
      k.fail++; t.fail++;
      const why = papReason(res.error);
      k.reasons.set(why, (k.reasons.get(why) ?? 0) + 1);
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
      if (!papExamples.has(kind)) papExamples.set(kind, `${rel} #${i + 1}`);
    }
    const uniq = [...new Set(subs)];
    for (const label of uniq) {
      const sc = bump(subcmds, label, () => ({ stmts: 0, fail: 0, single: 0, singleFail: 0 }));
      sc.stmts++;
      if (!res.ok) sc.fail++;
      if (subs.length === 1) { sc.single++; if (!res.ok) sc.singleFail++; }
    }
  });
}

const projectRows = [...projects.values()].sort((a, b) => a.project.localeCompare(b.project));
const total = projectRows.reduce((acc, p) => {
  for (const [k, v] of Object.entries(p)) if (typeof v === 'number') acc[k] = (acc[k] ?? 0) + v;
  return acc;
}, { project: 'total' });

// ---------------------------------------------------------------------------------------------
// 3: migration-safety statements that a linter must be able to read
// ---------------------------------------------------------------------------------------------
const SAFE_FORMS = [
  // [statement, why a migration linter needs it]
  ['ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u(id) NOT VALID', 'FK without full-table validation scan'],
  ['ALTER TABLE t VALIDATE CONSTRAINT c', 'second step of NOT VALID pattern'],
  ['ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID', 'CHECK without validation scan'],
  ['ALTER TABLE t ADD CONSTRAINT c NOT NULL a NOT VALID', 'PG18 NOT NULL constraint, not validated'],
  ['ALTER TABLE t ALTER COLUMN a SET NOT NULL', 'scan under ACCESS EXCLUSIVE unless a CHECK proves it'],
  ['ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint', 'table rewrite'],
  ['ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx', 'PK from a concurrently-built index'],
  ['ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX u_idx', 'UNIQUE from a concurrently-built index'],
  ['CREATE INDEX CONCURRENTLY i ON t(a)', 'non-blocking index build'],
  ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t(a)', 'idempotent non-blocking unique index'],
  ['DROP INDEX CONCURRENTLY i', 'non-blocking index drop'],
  ['REINDEX INDEX CONCURRENTLY i', 'non-blocking reindex'],
  ['REFRESH MATERIALIZED VIEW CONCURRENTLY mv', 'non-blocking MV refresh'],
  ['CREATE INDEX i ON ONLY p (a)', 'partitioned-index pattern, step 1'],
  ['ALTER INDEX pi ATTACH PARTITION ci', 'partitioned-index pattern, step 2'],
  ['ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (1) TO (10)', 'partition attach (SHARE UPDATE EXCLUSIVE)'],
  ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', 'non-blocking detach'],
  ['CREATE TABLE c PARTITION OF p FOR VALUES IN (1)', 'partition create'],
  ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', 'explicit lock'],
  ["SET lock_timeout = '2s'", 'lock timeout guard'],
  ["SET LOCAL statement_timeout = '5s'", 'transaction-scoped timeout guard'],
  ["ALTER TYPE e ADD VALUE 'x'", 'enum change'],
  ["ALTER TYPE e RENAME VALUE 'a' TO 'b'", 'enum rename (breaks old code)'],
  ['ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a*2) VIRTUAL', 'PG18 virtual generated column'],
  ['ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a*2) STORED', 'stored generated column (rewrite)'],
  ['ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0', 'add column with default'],
  ['ALTER TABLE t ALTER COLUMN a SET STATISTICS 500', 'planner tuning'],
  ['ALTER TABLE t SET (fillfactor = 70)', 'storage parameter'],
  ['ALTER TABLE t SET LOGGED', 'table rewrite'],
  ['ALTER TABLE t DISABLE TRIGGER ALL', 'trigger toggling in data migrations'],
  ['ALTER TABLE t REPLICA IDENTITY FULL', 'logical replication'],
  ['ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE INITIALLY DEFERRED', 'constraint change'],
  ['ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&)', 'exclusion constraint'],
  ['CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', 'trigger (SHARE ROW EXCLUSIVE)'],
  ['CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$', 'trigger function'],
  ['DO $$ BEGIN ALTER TABLE t ADD COLUMN b int; END $$', 'DDL hidden in a DO block'],
  ['VACUUM t', 'cannot run in a transaction'],
  ['CLUSTER t USING i', 'ACCESS EXCLUSIVE rewrite'],
  ['CREATE STATISTICS s ON a, b FROM t', 'extended statistics'],
  ['GRANT SELECT ON t TO r', 'privileges'],
];

const safeForms = SAFE_FORMS.map(([sql, why]) => {
  const a = lpqParseText(sql);
  const b = papTry(sql);
  return {
    sql,
    why,
    libpgQuery: a.ok && a.stmts.length > 0,
    libpgQueryKind: a.ok && a.stmts[0] ? classify(a.stmts[0].stmt).kind + (classify(a.stmts[0].stmt).subs.length ? ` / ${classify(a.stmts[0].stmt).subs.join(', ')}` : '') : null,
    libpgQueryError: a.ok ? undefined : a.error,
    pgsqlAstParser: b.ok,
    pgsqlAstParserError: b.ok ? undefined : papReason(b.error),
  };
});

// ---------------------------------------------------------------------------------------------
// 4: timing
// ---------------------------------------------------------------------------------------------
let timing = null;
if (!noTiming) {
  const lpqWhole = timeIt(() => {
    for (const t of fileTexts) { try { lpqParse(t); } catch { /* rejected file */ } }
  });
  const lpqStmt = timeIt(() => {
    for (const t of stmtTexts) { try { lpqParse(t); } catch { /* never: already accepted */ } }
  });
  const papStmt = timeIt(() => {
    for (const t of stmtTexts) { try { papParse(t); } catch { /* failure is part of the cost */ } }
  });
  const lpqBoth = timeIt(() => {
    for (const t of bothOkTexts) lpqParse(t);
  });
  const papBoth = timeIt(() => {
    for (const t of bothOkTexts) papParse(t);
  });
  const papWhole = timeIt(() => {
    for (const t of fileTexts) { try { papParse(t); } catch { /* failure is part of the cost */ } }
  });
  timing = {
    runs,
    warmup: 1,
    files: fileTexts.length,
    statements: stmtTexts.length,
    bytes: fileTexts.reduce((n, t) => n + Buffer.byteLength(t), 0),
    loadMs: {
      libpgQuery: Number(tLoad1 - tLoad0) / 1e6,
      pgsqlAstParser: Number(tLoad2 - tLoad1) / 1e6,
    },
    libpgQueryWholeFileMs: lpqWhole.medianMs,
    libpgQueryPerStatementMs: lpqStmt.medianMs,
    pgsqlAstParserPerStatementMs: papStmt.medianMs,
    pgsqlAstParserWholeFileMs: papWhole.medianMs,
    bothAcceptStatements: bothOkTexts.length,
    libpgQueryBothAcceptMs: lpqBoth.medianMs,
    pgsqlAstParserBothAcceptMs: papBoth.medianMs,
    samplesMs: {
      libpgQueryWholeFile: lpqWhole.samplesMs,
      libpgQueryPerStatement: lpqStmt.samplesMs,
      pgsqlAstParserPerStatement: papStmt.samplesMs,
      pgsqlAstParserWholeFile: papWhole.samplesMs,
      libpgQueryBothAccept: lpqBoth.samplesMs,
      pgsqlAstParserBothAccept: papBoth.samplesMs,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// output
// ---------------------------------------------------------------------------------------------
const kindRows = [...kinds.entries()]
  .map(([kind, v]) => ({ kind, total: v.total, ok: v.ok, fail: v.fail,
    topReason: [...v.reasons.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    example: papExamples.get(kind) ?? null }))
  .sort((a, b) => b.fail - a.fail || b.total - a.total || a.kind.localeCompare(b.kind));
const typeRows = [...nodeTypes.entries()]
  .map(([type, v]) => ({ type, ...v }))
  .sort((a, b) => b.fail - a.fail || b.total - a.total);
const subRows = [...subcmds.entries()]
  .map(([subcommand, v]) => ({ subcommand, ...v }))
  .sort((a, b) => b.fail - a.fail || b.stmts - a.stmts);
const reasonRows = [...reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);

const result = {
  date: new Date().toISOString(),
  corpusDir,
  versions,
  platform: `${process.platform}-${process.arch}`,
  projects: projectRows,
  total,
  rejectedFiles,
  statementKinds: kindRows,
  nodeTypes: typeRows,
  alterTableSubcommands: subRows,
  pgsqlAstParserFailureReasons: reasonRows,
  safeForms,
  timing,
};

if (wantJson) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const out = [];
  const table = (headers, rows, align) => {
    const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
    const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    const fmt = (r) => r.map((c, i) => (align?.[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
    out.push(fmt(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map((r) => fmt(r.map(String))));
  };
  out.push(`zerodown parser comparison — ${result.date}`);
  out.push(`corpus: ${corpusDir}`);
  out.push(`libpg-query ${versions['libpg-query']} (PG parser ${versions.postgresParser ?? '?'}), pgsql-ast-parser ${versions['pgsql-ast-parser']}, Node ${versions.node}, ${result.platform}`);
  out.push('');
  out.push('Per project (statements = statements libpg-query found; pgsql-ast-parser given each one on its own)');
  table(
    ['project', 'files', 'empty', 'lpq rejected files', 'statements', 'pgsql-ast-parser ok', '%', 'whole files ok (pap)'],
    [...projectRows, total].map((p) => [p.project, p.files, p.emptyFiles, p.lpqRejectedFiles, p.statements, p.papAccepted,
      pct(p.papAccepted, p.statements), `${p.papWholeFileAccepted}/${p.filesWithStatements} (${pct(p.papWholeFileAccepted, p.filesWithStatements)})`]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  out.push('');
  out.push('Files libpg-query rejects');
  for (const f of rejectedFiles) out.push(`  ${f.file}: ${f.error}`);
  out.push('');
  out.push('Statement kinds pgsql-ast-parser fails (top 25)');
  table(['kind', 'statements', 'pap ok', 'pap failed', 'most common reason'],
    kindRows.filter((k) => k.fail > 0).slice(0, 25).map((k) => [k.kind, k.total, k.ok, k.fail, k.topReason ?? '']),
    ['l', 'r', 'r', 'r', 'l']);
  out.push('');
  out.push('ALTER TABLE subcommands (statements containing it; "single" = the only subcommand)');
  table(['subcommand', 'stmts', 'pap failed', 'single', 'single failed'],
    subRows.map((s) => [s.subcommand, s.stmts, s.fail, s.single, s.singleFail]), ['l', 'r', 'r', 'r', 'r']);
  out.push('');
  out.push('pgsql-ast-parser failure reasons (top 10)');
  table(['reason', 'count'], reasonRows.slice(0, 10).map((r) => [r.reason, r.count]), ['l', 'r']);
  out.push('');
  out.push('Migration-safety statements');
  table(['libpg-query', 'pgsql-ast-parser', 'statement'],
    safeForms.map((s) => [s.libpgQuery ? 'ok' : 'FAIL', s.pgsqlAstParser ? 'ok' : 'FAIL', s.sql]), ['l', 'l', 'l']);
  out.push(`  accepted: libpg-query ${safeForms.filter((s) => s.libpgQuery).length}/${safeForms.length}, pgsql-ast-parser ${safeForms.filter((s) => s.pgsqlAstParser).length}/${safeForms.length}`);
  out.push('');
  if (timing) {
    const f = (ms) => `${ms.toFixed(1)} ms`;
    out.push(`Timing (median of ${timing.runs} runs after 1 warm-up; ${timing.files} non-empty files, ${timing.statements} statements, ${timing.bytes} bytes)`);
    const per = (ms, n) => `${((ms * 1000) / n).toFixed(1)} µs`;
    table(['measurement', 'statements', 'median', 'per statement'], [
      ['libpg-query, whole files', timing.statements, f(timing.libpgQueryWholeFileMs), per(timing.libpgQueryWholeFileMs, timing.statements)],
      ['libpg-query, one statement at a time', timing.statements, f(timing.libpgQueryPerStatementMs), per(timing.libpgQueryPerStatementMs, timing.statements)],
      ['pgsql-ast-parser, one statement at a time', timing.statements, f(timing.pgsqlAstParserPerStatementMs), per(timing.pgsqlAstParserPerStatementMs, timing.statements)],
      ['pgsql-ast-parser, whole files (stops at 1st error)', timing.statements, f(timing.pgsqlAstParserWholeFileMs), '—'],
      ['libpg-query, only stmts both accept', timing.bothAcceptStatements, f(timing.libpgQueryBothAcceptMs), per(timing.libpgQueryBothAcceptMs, timing.bothAcceptStatements)],
      ['pgsql-ast-parser, only stmts both accept', timing.bothAcceptStatements, f(timing.pgsqlAstParserBothAcceptMs), per(timing.pgsqlAstParserBothAcceptMs, timing.bothAcceptStatements)],
    ], ['l', 'r', 'r', 'r']);
    out.push(`  load: libpg-query import + loadModule() ${f(timing.loadMs.libpgQuery)}; pgsql-ast-parser import + grammar compile ${f(timing.loadMs.pgsqlAstParser)}`);
  }
  console.log(out.join('\n'));
}
