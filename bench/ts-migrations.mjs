// (f) A directory of TypeORM migrations against the same statements as .sql files (one per
// migration), cold process, no cache: the cost of reading TS (loading the TypeScript parser,
// walking each file, mapping positions back). Target: within 1.5× of the SQL run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, isMain, tools } from './lib.mjs';

const MIGRATIONS = 300;

function statements(i) {
  return [
    `CREATE TABLE "t${i}" ("id" bigint PRIMARY KEY, "name" text)`,
    `ALTER TABLE "t${i}" ADD COLUMN "email" text`,
    `CREATE INDEX "t${i}_email" ON "t${i}" ("email")`,
  ];
}

function fixture() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-bench-ts-'));
  const ts = path.join(root, 'ts', 'migrations');
  const sql = path.join(root, 'sql', 'migrations');
  fs.mkdirSync(ts, { recursive: true });
  fs.mkdirSync(sql, { recursive: true });
  for (let i = 0; i < MIGRATIONS; i++) {
    const stamp = 1700000000000 + i;
    const body = statements(i).map((s) => `    await queryRunner.query(\`${s}\`);`).join('\n');
    fs.writeFileSync(
      path.join(ts, `${stamp}-M${i}.ts`),
      `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class M${i}${stamp} implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n${body}\n  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`DROP TABLE "t${i}"\`);\n  }\n}\n`,
    );
    fs.writeFileSync(path.join(sql, `${String(i).padStart(6, '0')}_m${i}.up.sql`), statements(i).map((s) => `${s};\n`).join(''));
  }
  return { root, ts, sql };
}

const run = async () => {
  const { root, ts, sql } = fixture();
  try {
    return await compare(`(f) ${MIGRATIONS} TypeORM migrations vs the same SQL files (runner typeorm, cold, --no-cache)`, {
      'ts/': tools.zerodown([ts, '--format', 'compact', '--no-cache', '--runner', 'typeorm']),
      'sql/': tools.zerodown([sql, '--format', 'compact', '--no-cache', '--runner', 'typeorm']),
    }, { runs: 5, warmup: 1 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};

if (isMain(import.meta.url)) await run();
export default run;
