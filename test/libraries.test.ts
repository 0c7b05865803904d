/**
 * The bugs of the hand-written utilities that libraries replaced: exclude globs (picomatch), JSONC
 * config (jsonc-parser), and the one upward search every "look from here up" uses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discover } from '../src/source/discover.ts';
import { loadConfig } from '../src/options/config.ts';
import { detectPgVersion } from '../src/options/detect-version.ts';
import { detectRunner } from '../src/source/detect-runner.ts';
import { RULES } from '../rules/index.ts';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function tmp(files: Record<string, string>): string {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zd-libs-')));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const SQL = 'CREATE TABLE t (id int);\n';

function linted(exclude: string[], include?: string[]): string[] {
  const plan = discover(['.'], { cwd: dir, exclude, include });
  return plan.groups.flatMap((g) => g.files.filter((f) => f.report).map((f) => path.relative(dir, f.path).split(path.sep).join('/'))).sort();
}

describe('exclude and include globs', () => {
  it('"**/seed/**" (the README example) excludes db/seed/ but not db/reseed/', () => {
    tmp({ 'db/seed/001_rows.sql': SQL, 'db/reseed/001_fix.sql': SQL, 'db/migrations/001_init.sql': SQL });
    expect(linted(['**/seed/**'])).toEqual(['db/migrations/001_init.sql', 'db/reseed/001_fix.sql']);
  });

  it('character classes: "[0-9]*_draft.sql" excludes 1_draft.sql, not a_draft.sql', () => {
    tmp({ 'm/1_draft.sql': SQL, 'm/a_draft.sql': SQL });
    expect(linted(['[0-9]*_draft.sql'])).toEqual(['m/a_draft.sql']);
  });

  it('braces: "{seed,fixtures}/**" excludes both directories', () => {
    tmp({ 'seed/1.sql': SQL, 'fixtures/1.sql': SQL, 'migrations/1.sql': SQL });
    expect(linted(['{seed,fixtures}/**'])).toEqual(['migrations/1.sql']);
  });

  it('a pattern still matches a trailing part of the path, and include narrows', () => {
    tmp({ 'db/seed/x.sql': SQL, 'db/migrations/1.sql': SQL, 'db/migrations/2.sql': SQL });
    expect(linted(['seed/*.sql'])).toEqual(['db/migrations/1.sql', 'db/migrations/2.sql']);
    expect(linted([], ['migrations/[1].sql'])).toEqual(['db/migrations/1.sql']);
  });
});

describe('JSONC config', () => {
  const ids = RULES.map((r) => r.id);

  it('a string that looks like a trailing comma is kept: ["a,]"] stays "a,]"', async () => {
    tmp({ 'zerodown.config.json': '{ "exclude": ["a,]", "b,}",], }' });
    const { config } = await loadConfig(dir, undefined, ids);
    expect(config.exclude).toEqual(['a,]', 'b,}']);
  });

  it('comments inside strings are text, not comments', async () => {
    tmp({ 'zerodown.config.jsonc': '{ "exclude": ["//x", "/*y*/"] /* real */ }' });
    const { config } = await loadConfig(dir, undefined, ids);
    expect(config.exclude).toEqual(['//x', '/*y*/']);
  });

  it('invalid JSON names the file, line and column', async () => {
    tmp({ 'zerodown.config.json': '{\n  "postgresVersion": 16\n  "runner": "flyway"\n}' });
    await expect(loadConfig(dir, undefined, ids)).rejects.toThrow(/zerodown\.config\.json: invalid JSON at line 3, column 3: CommaExpected/);
  });
});

describe('upward searches', () => {
  it('config, PostgreSQL version and runner are found from a subdirectory, and stop at the repository root', async () => {
    tmp({
      'outer/docker-compose.yml': 'services:\n  db:\n    image: postgres:13\n',
      'outer/zerodown.config.json': '{ "postgresVersion": 14 }',
      'outer/repo/.git/HEAD': 'ref: refs/heads/main\n',
      'outer/repo/docker-compose.yml': 'services:\n  db:\n    image: postgres:16-alpine\n',
      'outer/repo/flyway.conf': 'flyway.url=jdbc:postgresql://x\n',
      'outer/repo/db/migrations/V1__init.sql': SQL,
    });
    const sub = path.join(dir, 'outer/repo/db/migrations');
    expect(detectPgVersion(sub)?.version).toBe(16);
    expect(detectRunner(sub)?.runner).toBe('flyway');
    // The config search goes past the repository root (up to the home directory).
    expect((await loadConfig(sub, undefined, RULES.map((r) => r.id))).config.postgresVersion).toBe(14);
    fs.rmSync(path.join(dir, 'outer/repo/docker-compose.yml'));
    expect(detectPgVersion(sub)).toBeUndefined();
  });
});
