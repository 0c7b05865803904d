/**
 * Templated migrations: placeholders become tokens of the right kind and every finding keeps the
 * position it has in the file the user wrote.
 */
import { describe, expect, it } from 'vitest';
import { renderTemplates } from '../src/source/templates.ts';
import { lintText } from './helpers.ts';

const ctx = { path: 'migration.sql', format: 'plain' as const, runner: null, readSibling: () => undefined };

describe('renderTemplates', () => {
  it('leaves SQL without placeholders alone (casts, slices, strings)', () => {
    expect(renderTemplates("SELECT x::text, a[1:n], '12:30', 'a:b' FROM t;", ctx)).toBeUndefined();
  });

  it('renders psql variables by their quoting and \\set values', () => {
    const r = renderTemplates("\\set s app\nSELECT :'v', :\"s\".t, :s.u FROM :\"w\".x;", ctx);
    expect(r?.text).toBe("\\set s app\nSELECT ':v', \"app\".t, app.u FROM \":w\".x;");
  });

  it('maps rendered indices back to the file', () => {
    const text = 'CREATE INDEX i ON ${schema}.orders (a);';
    const r = renderTemplates(text, ctx);
    expect(r?.text).toBe('CREATE INDEX i ON "${schema}".orders (a);');
    const at = r!.text.indexOf('orders');
    expect(r!.toOriginal(at)).toBe(text.indexOf('orders'));
  });

  it('merges a Go action inside a name into one identifier, and drops else branches', () => {
    const r = renderTemplates('CREATE TABLE keto_{{ index .Options "Namespace" }}_t (id int{{ if .A }}, a int{{ else }}, b int{{ end }});', ctx);
    expect(r?.text).toBe('CREATE TABLE keto_namespace_t (id int, a int);');
  });

  it('treats a Go action that is a whole statement as no statement', () => {
    expect(renderTemplates('{{ .Up }};\nSELECT 1;', ctx)?.text).toBe(';\nSELECT 1;');
  });
});

describe('templated files are analyzed', () => {
  it('reports a finding at its exact position after a longer placeholder', async () => {
    const text = "SET lock_timeout = '2s';\nCREATE INDEX {{ index .Options \"IndexName\" }} ON users (email);\n  CREATE INDEX b ON users (x);";
    const r = await lintText(text);
    const lines = r.findings.filter((f) => f.ruleId === 'index-not-concurrent').map((f) => `${f.line}:${f.column}`);
    expect(lines).toEqual(['2:1', '3:3']);
    expect(r.findings.find((f) => f.line === 2)?.message).toContain('Go template action');
  });

  it('reports a control block that breaks the SQL once, as a warning, not as a syntax error', async () => {
    const r = await lintText('SELECT 1 {{ if .A }}, {{ end }} {{ if .B }}, {{ end }};\nSELECT 2 {{ if .C }},{{ end }};');
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['parse-error', 'warning']]);
    expect(r.findings[0].message).toContain('template control block');
    expect(r.findings[0].message).not.toContain('cannot parse');
  });
});
