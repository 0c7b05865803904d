/** The command line's configuration: config-file discovery, package.json, and PostgreSQL version detection. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, expectOneStderrLine, tmp, write, repo, BAD_INDEX, BAD_ADD_COLUMN, SAFE, compactFindings, parseJson, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('configuration discovery', () => {
  it('zerodown.config.json is found upward from the working directory', () => {
    const root = tmp();
    write(root, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurrent': 'off' } }));
    write(root, 'app/db/001.sql', BAD_INDEX + BAD_ADD_COLUMN);
    const r = run(['001.sql'], { cwd: path.join(root, 'app', 'db') });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['add-column-rewrite']);
  });

  it('the "zerodown" key of package.json is read', () => {
    const root = tmp();
    write(root, 'package.json', JSON.stringify({ name: 'app', version: '1.0.0', zerodown: { rules: { 'index-not-concurrent': 'warn' } } }));
    write(root, 'db/001.sql', BAD_INDEX);
    const r = run(['001.sql'], { cwd: path.join(root, 'db') });
    expect(r.code).toBe(0);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ severity: 'warning', rule: 'index-not-concurrent' })]);
  });

  it('an invalid "zerodown" key in package.json names package.json', () => {
    const root = tmp();
    write(root, 'package.json', JSON.stringify({ name: 'app', zerodown: { postgresVerison: 16 } }));
    write(root, '001.sql', BAD_INDEX);
    const r = run(['001.sql'], { cwd: root });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'package.json', 'did you mean "postgresVersion"');
  });

  it('--rule on the command line wins over the config file', () => {
    const root = tmp();
    write(root, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurrent': 'off' } }));
    write(root, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=error'], { cwd: root });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['index-not-concurrent']);
  });
});

describe('PostgreSQL version detection', () => {
  it('a postgres image in docker-compose.yml at the repository root sets the version', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n');
    write(root, 'db/migrations/001.sql', SAFE);
    for (const cwd of [root, path.join(root, 'db', 'migrations')]) {
      const r = run(['.', '--format', 'json'], { cwd });
      expect(r.code).toBe(0);
      const doc = parseJson(r);
      expect(doc.postgresVersion).toBe(16);
      expect(doc.postgresVersionSource).toContain('docker-compose.yml');
    }
  });

  it('--pg-version wins over detection', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
    write(root, '001.sql', SAFE);
    const doc = parseJson(run(['001.sql', '--format', 'json', '--pg-version', '13'], { cwd: root }));
    expect(doc.postgresVersion).toBe(13);
    expect(doc.postgresVersionSource).toBe('--pg-version');
  });

  it('an image newer than supported: the version used and its stated source agree', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:19\n');
    write(root, '001.sql', SAFE);
    const r = run(['001.sql', '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    const doc = parseJson(r);
    const source = doc.postgresVersionSource as string;
    // Either clamp to the newest supported major (as 9.6 is clamped up to 10), or do not claim
    // that the version used was detected.
    const consistent = doc.postgresVersion === 18 || !/^detected/.test(source);
    expect(consistent, `postgresVersion ${String(doc.postgresVersion)} with source "${source}"`).toBe(true);
  });

  it('without any hint the default is used, and says so', () => {
    const root = repo();
    write(root, '001.sql', SAFE);
    const doc = parseJson(run(['001.sql', '--format', 'json'], { cwd: root }));
    expect(doc.postgresVersion).toBe(15);
    expect(doc.postgresVersionSource).toMatch(/default/);
  });
});
