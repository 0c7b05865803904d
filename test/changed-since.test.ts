/**
 * --changed-since <ref>, edited-applied-migration and baselines, through the built CLI in real git
 * repositories.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers.ts';
import { git, repoWithChange, writeFiles } from './git-repo.ts';

/** The base branch has V1 and V2; the change edits V1 (applied wherever main was deployed) and adds V3. */
const scenario = {
  base: {
    'db/migration/V1__users.sql': 'CREATE TABLE users (\n  id bigint PRIMARY KEY\n);\n',
    'db/migration/V2__orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n',
  },
  change: {
    'db/migration/V1__users.sql': 'CREATE TABLE users (\n  id bigint PRIMARY KEY, email text\n);\n',
    'db/migration/V3__users_name.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
  },
  expected: { file: 'db/migration/V1__users.sql', line: 2 },
};

interface JsonReport {
  files: { path: string; findings: { ruleId: string; line: number; column: number; message: string }[] }[];
}

function zerodown(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(cwd: string, ...args: string[]): { status: number | null; report: JsonReport; stderr: string } {
  const r = zerodown(cwd, '--format', 'json', '--no-cache', ...args);
  return { status: r.status, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

describe('--changed-since', () => {
  it('reports only the changed migrations, and an edited applied one with edited-applied-migration on its first changed line', () => {
    const repo = repoWithChange(scenario.base, scenario.change);
    const { status, report } = json(repo.dir, '--changed-since', 'main');
    expect(report.files.map((f) => f.path).sort()).toEqual(['db/migration/V1__users.sql', 'db/migration/V3__users_name.sql']);
    const edited = report.files.find((f) => f.path === scenario.expected.file)!.findings.filter((f) => f.ruleId === 'edited-applied-migration');
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ line: scenario.expected.line, column: 1 });
    expect(edited[0].message).toContain('already exists on the base branch and was edited');
    // The new file's ADD COLUMN is checked against the history (users exists): no edited finding there.
    expect(report.files.find((f) => f.path.endsWith('V3__users_name.sql'))!.findings.map((f) => f.ruleId)).not.toContain('edited-applied-migration');
    expect(status).toBe(1);
  });

  it('counts staged, unstaged and untracked files as changed; an unknown ref is a one-line usage error (exit 2)', () => {
    const repo = repoWithChange(scenario.base, {});
    writeFiles(repo.dir, { 'db/migration/V4__untracked.sql': 'CREATE INDEX users_id ON users (id);\n' });
    const { report } = json(repo.dir, '--changed-since', 'main');
    expect(report.files.map((f) => f.path)).toEqual(['db/migration/V4__untracked.sql']);
    expect(report.files[0].findings.map((f) => f.ruleId)).toContain('index-not-concurrent');
    const bad = zerodown(repo.dir, '--changed-since', 'no-such-branch');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['zerodown: --changed-since no-such-branch: git does not know this ref']);
  });

  it('monorepo: a directory under its own nearest config still gets edited-applied-migration', () => {
    const prefix = (files: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(files).map(([k, v]) => [`services/billing/${k}`, v]));
    const repo = repoWithChange({ ...prefix(scenario.base), 'services/billing/zerodown.config.json': '{ "rules": { "lock-timeout-missing": "off" } }\n' }, prefix(scenario.change));
    const { report } = json(repo.dir, '--changed-since', 'main');
    const edited = report.files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.line} ${x.ruleId}`));
    expect(edited).toContain(`services/billing/${scenario.expected.file}:${scenario.expected.line} edited-applied-migration`);
    expect(edited.some((e) => e.includes('lock-timeout-missing'))).toBe(false);
  });

  it('-- zerodown-ignore-file edited-applied-migration accepts an intentional edit', () => {
    const change = { 'db/migration/V1__users.sql': `-- zerodown-ignore-file edited-applied-migration -- comment-only edit, checksum repaired\n${scenario.base['db/migration/V1__users.sql']}` };
    const repo = repoWithChange(scenario.base, change);
    const { report } = json(repo.dir, '--changed-since', 'main');
    expect(report.files.map((f) => f.path)).toEqual(['db/migration/V1__users.sql']);
    expect(report.files[0].findings.map((f) => f.ruleId)).not.toContain('edited-applied-migration');
  });

  it('says so and exits 0 when no migration changed', () => {
    const repo = repoWithChange(scenario.base, { 'README.md': 'docs only\n' });
    const r = zerodown(repo.dir, '--changed-since', 'main');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no migrations changed since main/);
  });
});

describe('baseline', () => {
  const migration = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n';
  const risky = 'CREATE INDEX users_email ON users (email);\n';

  it('accepts the current findings; moved lines stay accepted; a new finding is reported', () => {
    const repo = repoWithChange({ 'db/migration/V1__users.sql': migration, 'db/migration/V2__idx.sql': risky }, {});
    const before = json(repo.dir);
    expect(before.report.files.flatMap((f) => f.findings).map((f) => f.ruleId)).toContain('index-not-concurrent');
    const wrote = zerodown(repo.dir, 'baseline', '-o', 'zerodown-baseline.json');
    expect(wrote.status).toBe(0);
    expect(wrote.stderr).toMatch(/wrote \d+ accepted finding\(s\) to zerodown-baseline\.json/);
    const file = JSON.parse(fs.readFileSync(path.join(repo.dir, 'zerodown-baseline.json'), 'utf8')) as { version: number; findings: { ruleId: string }[] };
    expect(file.version).toBe(1);
    expect(file.findings.map((f) => f.ruleId)).toContain('index-not-concurrent');

    const accepted = json(repo.dir, '--baseline', 'zerodown-baseline.json');
    expect(accepted.report.files.flatMap((f) => f.findings)).toEqual([]);
    expect(accepted.status).toBe(0);

    // Lines moved down by a comment: still the same findings.
    writeFiles(repo.dir, { 'db/migration/V2__idx.sql': `-- a comment\n-- and another\n\n${risky}` });
    expect(json(repo.dir, '--baseline', 'zerodown-baseline.json').report.files.flatMap((f) => f.findings)).toEqual([]);

    // A second, new hazard is reported; the accepted one is not.
    writeFiles(repo.dir, { 'db/migration/V3__more.sql': 'CREATE INDEX users_id ON users (id);\n' });
    const fresh = json(repo.dir, '--baseline', 'zerodown-baseline.json');
    const left = fresh.report.files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.ruleId}`));
    expect(left).toContain('db/migration/V3__more.sql:index-not-concurrent');
    expect(left.filter((l) => l.startsWith('db/migration/V2'))).toEqual([]);
    expect(fresh.status).toBe(1);
    git(repo.dir, 'status');
  });

  it('a missing or foreign baseline file is a one-line error naming it (exit 2)', () => {
    const repo = repoWithChange({ 'db/migration/V1__users.sql': migration }, {});
    const missing = zerodown(repo.dir, '--baseline', 'nope.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^zerodown: --baseline nope\.json: cannot read \(ENOENT\); create it with "zerodown baseline -o nope\.json"$/);
    writeFiles(repo.dir, { 'other.json': '{"a":1}' });
    const foreign = zerodown(repo.dir, '--baseline', 'other.json');
    expect(foreign.status).toBe(2);
    expect(foreign.stderr.trim().split('\n')).toHaveLength(1);
    expect(foreign.stderr).toMatch(/not a zerodown baseline/);
  });
});
