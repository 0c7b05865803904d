/**
 * Every output format, rendered from a real lint of a small migration: SARIF against the official
 * 2.1.0 schema, GitHub workflow-command escaping, the JSON contract (version 1), Markdown and compact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../src/meta.ts';
import type { FileResult, Finding, LintReport } from '../src/findings/model.ts';
import { escapeData, escapeProperty } from '../src/report/github.ts';
import { OUTPUT_FORMATS, REPORTERS } from '../src/report/index.ts';
import type { ReporterContext } from '../src/report/types.ts';
import { RULES } from '../rules/index.ts';
import { lintText, ROOT } from './helpers.ts';

const CTX: ReporterContext = { rules: RULES, color: false };
const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** One of each: a misspelled ignore, three locking rules (one set to warning), a parse error. */
const SQL = [
  '-- zerodown-ignore index-not-concurent -- typo',
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE users ADD COLUMN n int DEFAULT random();',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  'SELEC 1;',
  '',
].join('\n');

const EXPECTED_RULES = ['invalid-ignore', 'index-not-concurrent', 'add-column-rewrite', 'set-not-null-scan', 'parse-error'];

let main: FileResult;
let clean: FileResult;

function reportOf(files: FileResult[], fatal: LintReport['fatal'] = []): LintReport {
  return { postgresVersion: 15, postgresVersionSource: 'test', files, fatal };
}

async function lintAs(filePath: string, sql: string): Promise<FileResult> {
  return lintText(sql, { rules: new Map([['set-not-null-scan', 'warning']]) }, { path: filePath });
}

beforeAll(async () => {
  main = await lintAs('db/migrations/001_users.sql', SQL);
  clean = await lintAs('db/migrations/002_clean.sql', 'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n');
});

function fullReport(): LintReport {
  return reportOf([main, clean], [{ path: 'db/migrations/003_gone.sql', message: 'no such file or directory' }]);
}

/** The source text a finding's 1-based, end-exclusive position covers (single-line spans). */
function covered(text: string, line: number, column: number, endLine: number, endColumn: number): string {
  expect(endLine).toBe(line);
  return text.split('\n')[line - 1].slice(column - 1, endColumn - 1);
}

describe('the lint under test', () => {
  it('produces the findings the reporters are checked against', () => {
    expect(main.findings.map((f) => f.ruleId)).toEqual(EXPECTED_RULES);
    expect(main.findings.map((f) => f.severity)).toEqual(['warning', 'error', 'error', 'warning', 'error']);
    expect(main.findings.filter((f) => f.safeAlternative).length).toBeGreaterThanOrEqual(3);
    expect(clean.findings).toEqual([]);
  });

  it('every reporter renders every report (including an empty one) as text ending in a newline, or nothing', () => {
    for (const format of OUTPUT_FORMATS) {
      for (const report of [fullReport(), reportOf([clean]), reportOf([])]) {
        const out = REPORTERS[format](report, CTX);
        expect(typeof out, format).toBe('string');
        if (out !== '') expect(out.endsWith('\n'), format).toBe(true);
        expect(REPORTERS[format](report, CTX), `${format} is deterministic`).toBe(out);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('sarif', () => {
  let validate: ValidateFunction;

  beforeAll(() => {
    const file = path.join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
    const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    // The file is written for draft-04 (`id`); its keywords are draft-07 compatible otherwise.
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
    // unicodeRegExp: false because the schema's `language` pattern has a stray `]` that the
    // unicode-mode RegExp rejects (it is valid in the schema's own regex dialect).
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    // ajv-formats is CommonJS: its default import is the plugin itself or { default: plugin }.
    type AddFormats = (ajv: Ajv) => Ajv;
    const mod = addFormatsPlugin as unknown as AddFormats & { default?: AddFormats };
    const addFormats: AddFormats = typeof mod.default === 'function' ? mod.default : mod;
    addFormats(ajv);
    validate = ajv.compile(schema);
  });

  function sarifOf(report: LintReport): any {
    return JSON.parse(REPORTERS.sarif(report, CTX));
  }

  function expectValid(log: unknown): void {
    const ok = validate(log);
    expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
  }

  it('validates against the SARIF 2.1.0 schema', () => {
    expectValid(sarifOf(fullReport()));
    expectValid(sarifOf(reportOf([clean])));
    expectValid(sarifOf(reportOf([])));
  });

  it('the validator really checks (a 0-based region is rejected)', () => {
    const log = sarifOf(fullReport());
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
  });

  it('describes the tool and every rule, with a help URI per rule', () => {
    const log = sarifOf(fullReport());
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('zerodown');
    expect(driver.version).toBe(PKG_VERSION);
    const ids: string[] = driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) expect(ids).toContain(rule.id);
    // Engine findings (invalid-ignore) are described too, so that every result has a rule.
    for (const id of EXPECTED_RULES) expect(ids).toContain(id);
    for (const r of driver.rules) {
      expect(r.helpUri).toMatch(/^https:\/\//);
      expect(r.helpUri).toContain(r.id);
      expect(() => new URL(r.helpUri)).not.toThrow();
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(['error', 'warning', 'note', 'none']).toContain(r.defaultConfiguration.level);
    }
    const meta = driver.rules.find((r: { id: string }) => r.id === 'index-not-concurrent');
    const rule = RULES.find((r) => r.id === 'index-not-concurrent')!;
    expect(meta.shortDescription.text).toBe(rule.description);
    expect(meta.fullDescription.text).toBe(rule.docs.why);
    expect(meta.help.text).toContain(rule.docs.good);
  });

  it('has one result per finding with its rule, level and a 1-based region', () => {
    const log = sarifOf(fullReport());
    const run = log.runs[0];
    const results = run.results;
    expect(results).toHaveLength(main.findings.length);
    results.forEach((res: any, i: number) => {
      const f = main.findings[i];
      expect(res.ruleId).toBe(f.ruleId);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(f.ruleId);
      expect(res.level).toBe(f.severity);
      expect(res.message.text).toContain(f.message);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toBe('db/migrations/001_users.sql');
      expect(loc.region).toEqual({ startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
    });
    // The regions point at the statement text (1-based lines and columns, exclusive end).
    const region = (id: string) => results.find((r: any) => r.ruleId === id).locations[0].physicalLocation.region;
    const idx = region('index-not-concurrent');
    expect(covered(SQL, idx.startLine, idx.startColumn, idx.endLine, idx.endColumn)).toBe('CREATE INDEX');
    const add = region('add-column-rewrite');
    expect(covered(SQL, add.startLine, add.startColumn, add.endLine, add.endColumn)).toMatch(/^ADD COLUMN n/);
    expect(run.columnKind).toBe('utf16CodeUnits');
  });

  it('reports IO errors as failed execution notifications', () => {
    const log = sarifOf(fullReport());
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toEqual([expect.objectContaining({ level: 'error', message: { text: expect.stringContaining('003_gone.sql') } })]);
    expect(sarifOf(reportOf([main])).runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('artifact URIs are valid URI references that decode to the file path', async () => {
    const file = 'db/my migrations/001 add%20index.sql';
    const r = await lintAs(file, 'CREATE INDEX users_email_idx ON users (email);\n');
    const log = sarifOf(reportOf([r]));
    expectValid(log);
    const uri: string = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    expect(uri).not.toMatch(/\s/);
    expect(decodeURIComponent(uri)).toBe(file);
  });

  it('uses forward slashes in artifact URIs', async () => {
    const r = await lintAs('db\\migrations\\001.sql', 'CREATE INDEX users_email_idx ON users (email);\n');
    const log = sarifOf(reportOf([r]));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('db/migrations/001.sql');
  });
});

// ---------------------------------------------------------------------------------------------

describe('github', () => {
  it('escapeData escapes %, \\r and \\n (and % first, so escapes are not double-read)', () => {
    expect(escapeData('plain text: a, b')).toBe('plain text: a, b');
    expect(escapeData('100%')).toBe('100%25');
    expect(escapeData('a\nb')).toBe('a%0Ab');
    expect(escapeData('a\r\nb')).toBe('a%0D%0Ab');
    expect(escapeData('%0A')).toBe('%250A');
    expect(escapeData('50% :: done,\r\n\n%25')).toBe('50%25 :: done,%0D%0A%0A%2525');
    expect(escapeData('')).toBe('');
  });

  it('escapeProperty additionally escapes : and ,', () => {
    expect(escapeProperty('db/001.sql')).toBe('db/001.sql');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
    expect(escapeProperty('C:\\m,1.sql')).toBe('C%3A\\m%2C1.sql');
    expect(escapeProperty('%3A')).toBe('%253A');
    expect(escapeProperty('x%,:\r\n')).toBe('x%25%2C%3A%0D%0A');
    expect(escapeProperty('::')).toBe('%3A%3A');
  });

  /** Parses `::level k=v,k=v::data` as the runner does. */
  function parseCommand(line: string): { level: string; props: Record<string, string>; data: string } {
    const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
    expect(m, line).not.toBeNull();
    const props: Record<string, string> = {};
    for (const pair of m![2].split(',')) {
      const eq = pair.indexOf('=');
      props[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { level: m![1], props, data: m![3] };
  }

  const unescape = (s: string): string =>
    s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

  it('one workflow command per finding and per IO error, nothing else', () => {
    const out = REPORTERS.github(fullReport(), CTX);
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(main.findings.length + 1);
    for (const l of lines) {
      expect(l).not.toMatch(/\r/);
      parseCommand(l);
    }
    const fatal = parseCommand(lines[lines.length - 1]);
    expect(fatal.level).toBe('error');
    expect(unescape(fatal.props.file)).toBe('db/migrations/003_gone.sql');
    expect(REPORTERS.github(reportOf([clean]), CTX)).toBe('');
  });

  it('a full line whose file name contains a comma and a colon', async () => {
    const file = 'db/2024,01:init.sql';
    const r = await lintAs(file, 'SELECT 1;\nCREATE INDEX t_idx ON "50%_t" (email);\n');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['index-not-concurrent']);
    const f = r.findings[0];
    const out = REPORTERS.github(reportOf([r]), CTX);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line.startsWith(`::error file=db/2024%2C01%3Ainit.sql,line=2,col=1,endLine=2,endColumn=13,title=zerodown index-not-concurrent::`)).toBe(true);
    const cmd = parseCommand(line);
    expect(cmd.level).toBe('error');
    expect(cmd.props).toEqual({
      file: 'db/2024%2C01%3Ainit.sql',
      line: String(f.line),
      col: String(f.column),
      endLine: String(f.endLine),
      endColumn: String(f.endColumn),
      title: 'zerodown index-not-concurrent',
    });
    expect(unescape(cmd.props.file)).toBe(file);
    // The message is data: its newlines and % are escaped, its : and , are left alone.
    expect(cmd.data).not.toMatch(/[\r\n]/);
    const data = unescape(cmd.data);
    expect(data.startsWith(f.message)).toBe(true);
    expect(data).toContain(f.help);
    expect(data).toContain(`Safe alternative: ${f.safeAlternative!.summary}`);
    expect(cmd.data).toContain('%0A%0A');
    // The table name carries a % into the message: escaped as %25, and unescaped back exactly.
    expect(f.message).toContain('50%_t');
    expect(cmd.data).toContain('50%25_t');
  });

  it('warnings become ::warning', () => {
    const lines = REPORTERS.github(reportOf([main]), CTX).split('\n').filter(Boolean);
    expect(lines.map((l) => parseCommand(l).level)).toEqual(main.findings.map((f) => f.severity));
  });
});

// ---------------------------------------------------------------------------------------------

describe('json', () => {
  type Json = Record<string, any>;

  function jsonOf(report: LintReport): Json {
    return JSON.parse(REPORTERS.json(report, CTX)) as Json;
  }

  const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];
  const FINDING_KEYS = ['ruleId', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'lock', 'help', 'safeAlternative'];

  function expectFinding(x: Json): void {
    expect(Object.keys(x).filter((k) => k !== 'direction')).toEqual(FINDING_KEYS);
    if ('direction' in x) expect(['up', 'down']).toContain(x.direction);
    expect(typeof x.ruleId).toBe('string');
    expect(x.ruleId).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(['error', 'warning']).toContain(x.severity);
    expect(typeof x.message).toBe('string');
    expect(x.message.length).toBeGreaterThan(0);
    for (const k of ['line', 'column', 'endLine', 'endColumn']) {
      expect(Number.isInteger(x[k]), k).toBe(true);
      expect(x[k], k).toBeGreaterThanOrEqual(1);
    }
    expect(x.endLine > x.line || (x.endLine === x.line && x.endColumn >= x.column)).toBe(true);
    if (x.lock === null) {
      expect(x.lock).toBeNull();
    } else {
      expect(Object.keys(x.lock)).toEqual(['mode', 'relations', 'blocks', 'rewrite', 'scan']);
      expect(LOCK_MODES).toContain(x.lock.mode);
      expect(Array.isArray(x.lock.relations)).toBe(true);
      for (const r of x.lock.relations) expect(typeof r).toBe('string');
      expect(Array.isArray(x.lock.blocks)).toBe(true);
      for (const b of x.lock.blocks) expect(['reads', 'writes', 'ddl']).toContain(b);
      expect(typeof x.lock.rewrite).toBe('boolean');
      expect(typeof x.lock.scan).toBe('boolean');
    }
    expect(typeof x.help).toBe('string');
    if (x.safeAlternative === null) {
      expect(x.safeAlternative).toBeNull();
    } else {
      expect(Object.keys(x.safeAlternative)).toEqual(['summary', 'steps']);
      expect(typeof x.safeAlternative.summary).toBe('string');
      expect(Array.isArray(x.safeAlternative.steps)).toBe(true);
      expect(x.safeAlternative.steps.length).toBeGreaterThan(0);
      for (const s of x.safeAlternative.steps) {
        expect(Object.keys(s).filter((k) => k !== 'deploy')).toEqual(['title', 'sql', 'transaction']);
        expect(typeof s.title).toBe('string');
        expect(typeof s.sql).toBe('string');
        expect(['own', 'outside', 'any']).toContain(s.transaction);
        if ('deploy' in s) expect(typeof s.deploy).toBe('string');
      }
    }
  }

  function expectContract(doc: Json): void {
    expect(Object.keys(doc)).toEqual(['version', 'tool', 'postgresVersion', 'postgresVersionSource', 'files', 'errors', 'summary']);
    expect(doc.version).toBe(1);
    expect(doc.tool).toEqual({ name: 'zerodown', version: TOOL_VERSION });
    expect(TOOL_VERSION).toBe(PKG_VERSION);
    expect(Number.isInteger(doc.postgresVersion)).toBe(true);
    expect(typeof doc.postgresVersionSource).toBe('string');
    expect(Array.isArray(doc.files)).toBe(true);
    for (const f of doc.files) {
      expect(Object.keys(f)).toEqual(['path', 'statements', 'findings', 'notes']);
      expect(typeof f.path).toBe('string');
      expect(Number.isInteger(f.statements)).toBe(true);
      expect(Array.isArray(f.findings)).toBe(true);
      for (const n of f.notes) expect(typeof n).toBe('string');
      for (const x of f.findings) expectFinding(x);
    }
    expect(Array.isArray(doc.errors)).toBe(true);
    for (const e of doc.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);
    expect(Object.keys(doc.summary)).toEqual(['files', 'statements', 'errors', 'warnings', 'fatal']);
    for (const v of Object.values(doc.summary)) expect(Number.isInteger(v)).toBe(true);
  }

  it('follows the version 1 contract, field by field', () => {
    const doc = jsonOf(fullReport());
    expectContract(doc);
    expect(doc.postgresVersion).toBe(15);
    expect(doc.postgresVersionSource).toBe('test');
    expect(doc.files.map((f: Json) => f.path)).toEqual(['db/migrations/001_users.sql', 'db/migrations/002_clean.sql']);
    expect(doc.files[0].statements).toBe(main.statements);
    expect(doc.errors).toEqual([{ path: 'db/migrations/003_gone.sql', message: 'no such file or directory' }]);
    expect(doc.summary).toEqual({ files: 2, statements: main.statements + clean.statements, errors: 3, warnings: 2, fatal: 1 });
  });

  it('serializes each finding as the engine produced it, without internal fields', () => {
    const doc = jsonOf(reportOf([main]));
    const out: Json[] = doc.files[0].findings;
    expect(out.map((x) => x.ruleId)).toEqual(EXPECTED_RULES);
    out.forEach((x, i) => {
      const f: Finding = main.findings[i];
      expect(x).toEqual({
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        lock: f.lock,
        help: f.help,
        safeAlternative: f.safeAlternative,
      });
      expect(x).not.toHaveProperty('start');
      expect(x).not.toHaveProperty('end');
    });
    expect(doc.files[0]).not.toHaveProperty('text');
    const idx = out.find((x) => x.ruleId === 'index-not-concurrent')!;
    expect(idx.lock).toEqual({ mode: 'SHARE', relations: ['public.users'], blocks: expect.arrayContaining(['writes']), rewrite: false, scan: expect.any(Boolean) });
    expect(idx.lock.blocks).not.toContain('reads');
    expect(covered(SQL, idx.line, idx.column, idx.endLine, idx.endColumn)).toBe('CREATE INDEX');
    const add = out.find((x) => x.ruleId === 'add-column-rewrite')!;
    expect(add.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', rewrite: true });
    expect(add.lock.blocks).toEqual(expect.arrayContaining(['reads', 'writes']));
    expect(out.find((x) => x.ruleId === 'parse-error')!.lock).toBeNull();
    expect(out.find((x) => x.ruleId === 'invalid-ignore')!.safeAlternative).toBeNull();
  });

  it('adds "direction" only to findings in down migrations', async () => {
    const down = await lintAs('db/1_users.down.sql', 'CREATE INDEX users_email_idx ON users (email);\n');
    const doc = jsonOf(reportOf([down, main]));
    expectContract(doc);
    expect(doc.files[0].findings.map((x: Json) => x.direction)).toEqual(['down']);
    for (const x of doc.files[1].findings) expect(x).not.toHaveProperty('direction');
  });

  it('an empty report is still a complete document', () => {
    const doc = jsonOf(reportOf([]));
    expectContract(doc);
    expect(doc.files).toEqual([]);
    expect(doc.summary).toEqual({ files: 0, statements: 0, errors: 0, warnings: 0, fatal: 0 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('markdown', () => {
  /** Cells of a table row, splitting on pipes that are not escaped. */
  function cells(row: string): string[] {
    return row
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  }

  it('has a table row per finding', () => {
    const md = REPORTERS.markdown(fullReport(), CTX);
    const lines = md.split('\n');
    const header = lines.findIndex((l) => /^\|\s*Location\s*\|/.test(l));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toMatch(/^\|(\s*-+\s*\|)+$/);
    const columns = cells(lines[header]).length;
    const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(main.findings.length);
    rows.forEach((row, i) => {
      const f = main.findings[i];
      const c = cells(row);
      expect(c).toHaveLength(columns);
      expect(row).toContain(`db/migrations/001_users.sql:${f.line}:${f.column}`);
      expect(c).toContain(f.severity);
      expect(row).toContain(f.ruleId);
      expect(row).toContain(f.message.replace(/\|/g, '\\|'));
    });
    expect(md).toMatch(/3 error\(s\), 2 warning\(s\)/);
    expect(md).toContain('003_gone.sql');
  });

  it('links each rule to its documentation', () => {
    const md = REPORTERS.markdown(reportOf([main]), CTX);
    for (const f of main.findings) expect(md).toMatch(new RegExp(`\\[${f.ruleId}\\]\\(https://[^)]*${f.ruleId}[^)]*\\)`));
  });

  it('has a details block with the SQL of each safe alternative', () => {
    const md = REPORTERS.markdown(reportOf([main]), CTX);
    const blocks = [...md.matchAll(/<details>([\s\S]*?)<\/details>/g)].map((m) => m[1]);
    const withAlt = main.findings.filter((f) => f.safeAlternative);
    expect(blocks).toHaveLength(withAlt.length);
    withAlt.forEach((f, i) => {
      const block = blocks[i];
      expect(block).toMatch(/<summary>[\s\S]*<\/summary>/);
      expect(block).toContain(f.ruleId);
      expect(block).toContain(f.safeAlternative!.summary);
      for (const step of f.safeAlternative!.steps) {
        expect(block).toContain(step.title);
        expect(block).toContain('```sql\n' + step.sql + '\n```');
      }
    });
    const idx = blocks.find((b) => b.includes('index-not-concurrent'))!;
    expect(idx).toContain('CREATE INDEX CONCURRENTLY users_email_idx ON users (email);');
  });

  it('escapes pipes in cells so that the table keeps its shape', async () => {
    const r = await lintAs('db/001.sql', 'CREATE INDEX i ON "a|b" (x);\n');
    const md = REPORTERS.markdown(reportOf([r]), CTX);
    const row = md.split('\n').find((l) => l.startsWith('| `'))!;
    expect(cells(row)).toHaveLength(5);
    expect(row).toContain('a\\|b');
  });

  it('a clean report says so, without a table', () => {
    const md = REPORTERS.markdown(reportOf([clean]), CTX);
    expect(md).toMatch(/No findings/);
    expect(md).not.toContain('| Location');
    expect(md).not.toContain('<details>');
  });
});

// ---------------------------------------------------------------------------------------------

describe('compact', () => {
  it('one line per finding: path:line:col: severity [rule] message', () => {
    const out = REPORTERS.compact(reportOf([main, clean]), CTX);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toEqual(main.findings.map((f) => `db/migrations/001_users.sql:${f.line}:${f.column}: ${f.severity} [${f.ruleId}] ${f.message}`));
    for (const l of lines) expect(l).toMatch(/^[^\s:]+:\d+:\d+: (error|warning) \[[a-z0-9-]+\] \S.*$/);
  });

  it('keeps one line per finding for file names with colons and messages quoting identifiers', async () => {
    const r = await lintAs('db/2024,01:init.sql', 'CREATE INDEX "x:1" ON "t, u" (a);\n');
    const out = REPORTERS.compact(reportOf([r]), CTX);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(r.findings.length);
    expect(lines[0]).toBe(`db/2024,01:init.sql:1:1: error [index-not-concurrent] ${r.findings[0].message}`);
  });

  it('lists IO errors after the findings and prints nothing for a clean report', () => {
    const out = REPORTERS.compact(fullReport(), CTX);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(main.findings.length + 1);
    expect(lines[lines.length - 1]).toContain('db/migrations/003_gone.sql');
    expect(lines[lines.length - 1]).toContain('no such file or directory');
    expect(REPORTERS.compact(reportOf([clean]), CTX)).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------

describe('pretty', () => {
  it('colors only when asked', () => {
    const plain = REPORTERS.pretty(reportOf([main]), { rules: RULES, color: false });
    const colored = REPORTERS.pretty(reportOf([main]), { rules: RULES, color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toMatch(/\u001b\[\d+(;\d+)*m/);
    expect(colored.replace(/\u001b\[\d+(;\d+)*m/g, '')).toBe(plain);
  });

  it('shows location, excerpt with underline, lock, why and the safe alternative for each finding', () => {
    const out = REPORTERS.pretty(reportOf([main]), { ...CTX, verbose: true });
    // Text is wrapped at word boundaries: compare with whitespace collapsed.
    const flat = out.replace(/\s+/g, ' ');
    const grouped = new Set<string>();
    for (const f of main.findings) {
      grouped.add(`${f.line}`);
      expect(out).toMatch(new RegExp(`db/migrations/001_users\\.sql:${f.line}:\\d+|  (error|warning) ${f.ruleId} ${f.line}:${f.column}`));
      expect(flat).toContain(f.message.replace(/\s+/g, ' '));
      expect(flat).toContain(f.help.replace(/\s+/g, ' '));
      if (f.safeAlternative) for (const s of f.safeAlternative.steps) for (const l of s.sql.split('\n')) expect(out).toContain(l);
    }
    const lines = out.split('\n');
    const src = 'CREATE INDEX users_email_idx ON users (email);';
    const i = lines.findIndex((l) => l.endsWith(`2 | ${src}`));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1].indexOf('^')).toBe(lines[i].indexOf('CREATE'));
    expect(lines[i + 1].trimEnd().endsWith('^'.repeat('CREATE INDEX'.length))).toBe(true);
    expect(out).toMatch(/lock: SHARE on users/);
    expect(out).toMatch(/lock: ACCESS EXCLUSIVE on users .*rewrites the table/);
    expect(flat).toMatch(/3 error\(s\), 2 warning\(s\) in 1 file\(s\)/);
  });

  it('wraps to the given width at word boundaries, groups findings by statement, and keeps recipes for --verbose', () => {
    const out = REPORTERS.pretty(reportOf([main]), { ...CTX, width: 60 });
    const words = new Set(main.findings.flatMap((f) => `${f.message} ${f.help}`.split(/\s+/)));
    const lines = out.split('\n');
    for (const f of main.findings) {
      // The message's lines: each within the width, each made of whole words of the message.
      const firstWord = f.message.split(/\s+/)[0];
      const at = lines.findIndex((l) => l === `    ${firstWord}` || l.startsWith(`    ${firstWord} `));
      expect(at).toBeGreaterThan(0);
      for (let i = at; i < lines.length && lines[i].startsWith('    ') && !lines[i].startsWith('    do:'); i++) {
        expect(lines[i].length).toBeLessThanOrEqual(60);
        for (const token of lines[i].trim().split(' ')) expect(words.has(token), token).toBe(true);
      }
    }
    // One location header per statement, however many findings it has.
    const headers = out.split('\n').filter((l) => /^db\/migrations\/001_users\.sql:\d+:\d+$/.test(l));
    const statements = new Set(main.findings.map((f) => f.line));
    expect(headers).toHaveLength(statements.size);
    expect(out).toMatch(/steps? with SQL: --verbose/);
    expect(out.split('\n').length).toBeLessThan(REPORTERS.pretty(reportOf([main]), { ...CTX, width: 60, verbose: true }).split('\n').length);
  });
});
