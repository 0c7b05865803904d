/** Output formats: SARIF against the official 2.1.0 schema, and GitHub workflow-command escaping. */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintReport } from '../src/findings/model.ts';
import { escapeData, escapeProperty } from '../src/report/github.ts';
import { OUTPUT_FORMATS, REPORTERS } from '../src/report/index.ts';
import { RULES } from '../rules/index.ts';
import { ROOT } from './helpers.ts';
import { CTX, PKG_VERSION, SQL, EXPECTED_RULES, main, clean, reportOf, lintAs, fullReport, covered, lintSample } from './reporters-harness.ts';

lintSample();

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
