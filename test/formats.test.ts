/** Migration formats: detection, sections, per-file transaction opt-outs and tool ordering. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectFormat, layout, naturalCompare } from '../src/source/formats.ts';
import { discover } from '../src/source/discover.ts';
import { lintText, ruleIds } from './helpers.ts';

const none = (): undefined => undefined;

describe('detectFormat', () => {
  it.each([
    ['migrations/000001_init.up.sql', '', 'golang-migrate'],
    ['db/V1_2__add_users.sql', '', 'flyway'],
    ['db/R__views.sql', '', 'flyway'],
    ['prisma/migrations/20240101120000_init/migration.sql', '', 'prisma'],
    ['drizzle/0003_sharp_hulk.sql', 'ALTER TABLE "a" ADD COLUMN "b" int;--> statement-breakpoint\n', 'drizzle'],
    ['db/migrations/20240101_x.sql', '-- migrate:up\nSELECT 1;\n-- migrate:down\n', 'dbmate'],
    ['sql/00001_x.sql', '-- +goose Up\nSELECT 1;\n', 'goose'],
    ['migrations/2024-01-01-000000_x/up.sql', '', 'diesel'],
    ['sql/20210410175418000000_identity.postgres.up.sql', '', 'popx'],
    ['sql/20210410175418000000_identity.autocommit.down.sql', '', 'popx'],
    ['project/deploy/users.sql', '', 'sqitch'],
    ['schema.sql', 'CREATE TABLE t (id int);', 'plain'],
  ])('%s → %s', (file, text, format) => {
    expect(detectFormat(file, text)).toBe(format);
  });
});

describe('layout', () => {
  it('splits goose Up/Down sections and reads NO TRANSACTION', () => {
    const text = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX i;\n';
    const l = layout('goose', 'x.sql', text, none);
    expect(l.sections.map((s) => [s.direction, s.transaction, text.slice(s.start, s.end).trim()])).toEqual([
      ['up', false, 'CREATE INDEX CONCURRENTLY i ON t (a);'],
      ['down', false, 'DROP INDEX i;'],
    ]);
  });

  it('reads dbmate transaction:false per section', () => {
    const text = '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;\n';
    const l = layout('dbmate', 'x.sql', text, none);
    expect(l.sections.map((s) => [s.direction, s.transaction])).toEqual([
      ['up', false],
      ['down', undefined],
    ]);
  });

  it('reads diesel metadata.toml and Flyway script config', () => {
    expect(layout('diesel', 'm/2024_x/up.sql', '', (f) => (f === 'metadata.toml' ? 'run_in_transaction = false\n' : undefined)).sections[0].transaction).toBe(false);
    expect(layout('flyway', 'db/V2__idx.sql', '', (f) => (f === 'V2__idx.sql.conf' ? 'executeInTransaction=false\n' : undefined)).sections[0].transaction).toBe(false);
    expect(layout('flyway', 'db/U2__idx.sql', '', none).sections[0].direction).toBe('down');
  });
});

describe('ordering', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function files(names: string[]): string[] {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-order-'));
    for (const n of names) {
      fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
      fs.writeFileSync(path.join(dir, n), 'SELECT 1;\n');
    }
    const plan = discover([dir], { cwd: dir });
    return plan.groups.flatMap((g) => g.files.map((f) => path.relative(dir, f.path)));
  }

  it('orders golang-migrate versions numerically, up before down', () => {
    expect(files(['10_b.up.sql', '9_a.up.sql', '9_a.down.sql', '100_c.up.sql'])).toEqual(['9_a.up.sql', '9_a.down.sql', '10_b.up.sql', '100_c.up.sql']);
  });

  it('orders Flyway versions part by part with repeatables last', () => {
    expect(files(['V1_10__c.sql', 'V1_9__b.sql', 'R__views.sql', 'V1__a.sql'])).toEqual(['V1__a.sql', 'V1_9__b.sql', 'V1_10__c.sql', 'R__views.sql']);
  });

  it('orders Prisma migrations by directory name', () => {
    expect(files(['20240102000000_b/migration.sql', '20240101000000_a/migration.sql'])).toEqual(['20240101000000_a/migration.sql', '20240102000000_b/migration.sql']);
  });

  it('keeps only PostgreSQL variants of popx migrations', () => {
    expect(files(['20200101000000000000_a.postgres.up.sql', '20200101000000000000_a.mysql.up.sql', '20200101000000000000_a.sqlite3.up.sql'])).toEqual([
      '20200101000000000000_a.postgres.up.sql',
    ]);
  });

  it('natural compare treats digit runs as numbers', () => {
    expect(['a10', 'a9', 'a100'].sort(naturalCompare)).toEqual(['a9', 'a10', 'a100']);
  });
});

describe('runner transaction behaviour', () => {
  it('golang-migrate: a one-statement file is not in a transaction, a multi-statement one is', async () => {
    const alone = await lintText('CREATE INDEX CONCURRENTLY i ON t (a);', {}, { path: 'm/000002_idx.up.sql' });
    expect(ruleIds(alone)).toEqual([]);
    const mixed = await lintText('ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON t (a);', {}, { path: 'm/000002_idx.up.sql' });
    expect(ruleIds(mixed)).toEqual(['concurrent-in-transaction']);
    expect(mixed.findings[0].message).toContain('one query');
  });

  it('popx .autocommit. files run outside a transaction', async () => {
    const r = await lintText('CREATE INDEX CONCURRENTLY i ON t (a);', {}, { path: 'sql/20200101000000000000_i.postgres.autocommit.up.sql' });
    expect(ruleIds(r)).toEqual([]);
  });

  it('--assume-in-transaction / --no-assume-in-transaction override the runner default', async () => {
    const sql = 'CREATE INDEX CONCURRENTLY i ON t (a);';
    expect(ruleIds(await lintText(sql, { assumeInTransaction: true }))).toEqual(['concurrent-in-transaction']);
    expect(ruleIds(await lintText(sql, { runner: 'knex', assumeInTransaction: false }))).toEqual([]);
  });

  it('names the runner escape hatch in the message', async () => {
    const r = await lintText('-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);', {}, { path: 'db/00002_i.sql' });
    expect(r.findings[0].help).toContain('-- +goose NO TRANSACTION');
  });
});
