/**
 * Raw SQL in application code, read with the real PostgreSQL parser. What counts as a column
 * reference follows PostgreSQL's grammar (https://www.postgresql.org/docs/current/sql-select.html,
 * sql-insert.html, sql-update.html): qualified names resolve through FROM aliases, WITH queries are
 * not tables, and an output column name may be used in ORDER BY.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { initParser } from '../src/parse/parser.ts';
import { rawSqlReader } from '../src/analyze/models/raw-sql.ts';
import { columnsByTable, tableNamed, writeProject } from './models-files.ts';

beforeAll(async () => {
  await Promise.all([loadTypeScript(), initParser()]);
});

describe('raw SQL reader', () => {
  it('finds tables and columns in query strings, templates and concatenations of application code', () => {
    const files = writeProject({
      'src/jobs/cleanup.ts': `import { pool } from '../db';
export async function cleanup(accountId: string, amount: number) {
  await pool.query('SELECT id, legacy_name FROM users WHERE deleted_at IS NULL');
  await db.execute(sql\`UPDATE accounts SET balance = balance - \${amount}, updated_at = now() WHERE id = \${accountId}\`);
  await pool.query(\`INSERT INTO audit.events (actor_id, payload) VALUES ($1, $2)\`, [accountId, {}]);
  const rows = await pool.query(
    'SELECT u.email, o.total AS sum FROM users u JOIN orders o ON o.user_id = u.id ' +
      'WHERE o.status = $1 ORDER BY sum',
    ['paid'],
  );
  await pool.query('WITH recent AS (SELECT id, team_id FROM orders) SELECT team_id FROM recent');
  console.log('Select an option to continue');
  return rows;
}
`,
    });
    const { tables, problems } = rawSqlReader.read(files);
    expect(problems).toEqual([]);
    expect(columnsByTable(tables)).toEqual({
      users: ['deleted_at', 'email', 'id', 'legacy_name'],
      accounts: ['balance', 'id', 'updated_at'],
      'audit.events': ['actor_id', 'payload'],
      orders: ['id', 'status', 'team_id', 'total', 'user_id'],
    });
    const users = tableNamed(tables, 'users');
    expect(users.certainty).toBe('probable');
    expect(users.columns.find((c) => c.column === 'legacy_name')).toMatchObject({ certainty: 'probable', ref: { path: 'src/jobs/cleanup.ts', line: 3, column: 32 } });
  });

  it('skips migrations, tests and text that does not parse as SQL', () => {
    const files = writeProject({
      'db/migrations/001_drop.ts': `export const up = (db) => db.query('SELECT legacy_name FROM users');\n`,
      'src/users.test.ts': `it('reads', () => pool.query('SELECT legacy_name FROM users'));\n`,
      'src/dynamic.ts': `export const q = (table: string) => pool.query(\`SELECT * FROM \${table} WHERE\`);\nexport const label = 'update your profile';\n`,
    });
    const { tables, problems } = rawSqlReader.read(files);
    expect(problems).toEqual([]);
    expect(tables).toEqual([]);
  });
});
