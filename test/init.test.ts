/**
 * `zerodown init` in temporary repositories laid out as Prisma, Drizzle, golang-migrate and TypeORM
 * projects: what it detects, the files it writes (and that zerodown then accepts them), a second run
 * that changes nothing, and files it keeps unless --force.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './helpers.ts';

const dirs: string[] = [];
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-init-')));
  dirs.push(dir);
  execFileSync('git', ['init', '-q', dir]);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function zerodown(dir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const read = (dir: string, rel: string): string => fs.readFileSync(path.join(dir, rel), 'utf8');
const json = (dir: string, rel: string): Record<string, unknown> => JSON.parse(read(dir, rel)) as Record<string, unknown>;
const BAD_INDEX = 'CREATE INDEX users_email_idx ON users (email);\n';

describe('zerodown init', () => {
  it('Prisma: runner, version from docker-compose, include; the config then lints the migrations', () => {
    const dir = project({
      'package.json': '{\n  "name": "app",\n  "devDependencies": { "prisma": "^6.0.0" }\n}\n',
      'docker-compose.yml': 'services:\n  db:\n    image: postgres:16-alpine\n',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'prisma/migrations/20240201000000_email/migration.sql': BAD_INDEX,
    });
    const r = zerodown(dir, 'init');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('migrations: prisma/migrations');
    expect(r.stdout).toMatch(/runner: prisma/);
    expect(r.stdout).toMatch(/^wrote +zerodown\.config\.json$/m);
    expect(r.stdout).toMatch(/^next: npx zerodown prisma\/migrations$/m);
    expect(json(dir, 'zerodown.config.json')).toEqual({
      $schema: './node_modules/zerodown/schema/zerodown.schema.json',
      runner: 'prisma',
      postgresVersion: 16,
      include: ['prisma/migrations/**/*.sql'],
    });
    const lint = zerodown(dir, '--format', 'compact');
    expect(lint.code, lint.stderr).toBe(1);
    expect(lint.stdout).toMatch(/^prisma\/migrations\/20240201000000_email\/migration\.sql:1:1: error \[index-not-concurrent\]/m);
  });

  it('Drizzle with --pre-commit --husky --github; a second run changes nothing', () => {
    const dir = project({
      'package.json': '{\n\t"name": "app",\n\t"devDependencies": { "drizzle-kit": "^0.30.0" },\n\t"lint-staged": { "*.ts": "eslint" }\n}\n',
      'drizzle.config.ts': 'export default { out: "./drizzle" };\n',
      'drizzle/0000_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n--> statement-breakpoint\nCREATE TABLE posts (id bigint PRIMARY KEY);\n',
    });
    const first = zerodown(dir, 'init', '--pre-commit', '--husky', '--github');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/runner: drizzle/);
    expect(json(dir, 'zerodown.config.json')).toMatchObject({ runner: 'drizzle', include: ['drizzle/**/*.sql'] });
    expect(read(dir, '.pre-commit-config.yaml')).toBe(
      'repos:\n  - repo: https://github.com/zerodown/zerodown\n    rev: v' +
        (JSON.parse(read(ROOT, 'package.json')) as { version: string }).version +
        '\n    hooks:\n      - id: zerodown\n        files: ^(drizzle)/.*\\.sql$\n',
    );
    expect(read(dir, '.husky/pre-commit')).toBe('npx lint-staged\n');
    // The existing lint-staged entry stays; the tab indentation too.
    expect(read(dir, 'package.json')).toContain('\t"lint-staged": {\n\t\t"*.ts": "eslint",\n\t\t"drizzle/**/*.sql": "zerodown"\n\t}');
    const wf = read(dir, '.github/workflows/zerodown.yml');
    expect(wf).toMatch(/^ {6}- run: npx --yes zerodown@[\d.]+ --format github drizzle$/m);
    expect(wf).toContain("paths: ['drizzle/**']");
    const before = new Map(['zerodown.config.json', '.pre-commit-config.yaml', '.husky/pre-commit', 'package.json', '.github/workflows/zerodown.yml'].map((f) => [f, read(dir, f)]));

    const second = zerodown(dir, 'init', '--pre-commit', '--husky', '--github');
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^(wrote|updated)/m);
    expect(second.stdout.match(/^unchanged/gm)).toHaveLength(5);
    for (const [f, text] of before) expect(read(dir, f), f).toBe(text);
  });

  it('golang-migrate: an existing config and pre-commit config are kept; --force replaces the config', () => {
    const dir = project({
      'go.mod': 'module example.com/app\n\nrequire github.com/golang-migrate/migrate/v4 v4.17.0\n',
      'db/migrations/000001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'db/migrations/000001_users.down.sql': 'DROP TABLE users;\n',
      'zerodown.config.json': '{ "preset": "strict" }\n',
      '.pre-commit-config.yaml': 'default_stages: [pre-commit]\nrepos:\n  - repo: local\n    hooks: []\n',
    });
    const kept = zerodown(dir, 'init', '--pre-commit');
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/runner: golang-migrate \(from go\.mod/);
    expect(kept.stdout).toMatch(/^kept .* zerodown\.config\.json$/m);
    expect(read(dir, 'zerodown.config.json')).toBe('{ "preset": "strict" }\n');
    // Appended to the repos list, nothing else touched.
    expect(kept.stdout).toMatch(/^updated +\.pre-commit-config\.yaml$/m);
    expect(read(dir, '.pre-commit-config.yaml')).toMatch(/^default_stages: \[pre-commit\]\nrepos:\n {2}- repo: local\n {4}hooks: \[\]\n {2}- repo: https:\/\/github\.com\/zerodown\/zerodown\n(.*\n)+ {8}files: \^\(db\/migrations\)\/\.\*\\\.sql\$\n$/);
    const forced = zerodown(dir, 'init', '--force');
    expect(forced.stdout).toMatch(/^updated +zerodown\.config\.json$/m);
    expect(json(dir, 'zerodown.config.json')).toMatchObject({ runner: 'golang-migrate', include: ['db/migrations/**/*.sql'] });
  });

  it('TypeORM: the runner from package.json; the TypeScript migrations directory is included', () => {
    const dir = project({
      'package.json': '{ "name": "api", "dependencies": { "typeorm": "^0.3.20", "pg": "^8.0.0" } }\n',
      'src/migrations/1700000000000-Init.ts': 'export class Init1700000000000 {}\n',
    });
    const r = zerodown(dir, 'init');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^migrations: src\/migrations$/m);
    expect(r.stdout).toMatch(/runner: typeorm \(from package\.json: typeorm\)/);
    expect(json(dir, 'zerodown.config.json')).toEqual({ $schema: './node_modules/zerodown/schema/zerodown.schema.json', runner: 'typeorm', include: ['src/migrations/**/*.sql', 'src/migrations/**/*.ts'] });
    expect(zerodown(dir, '--format', 'compact').code).toBe(0);
  });

  it('bad usage and an invalid package.json: one line, exit 2', () => {
    const unknown = zerodown(project({}), 'init', '--precommit');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^zerodown init: Unknown option '--precommit'/);
    const dir = project({ 'package.json': '{ "name": ', 'db/migrations/001_a.up.sql': 'SELECT 1;\n' });
    const r = zerodown(dir, 'init', '--husky');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^zerodown init: package\.json: invalid JSON/);
  });
});
