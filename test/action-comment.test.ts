/**
 * The PR comment's text from a real lint: GitHub rejects comment bodies over 65,536 characters, so a
 * large report is cut from the end (details, then rows) with a note saying so, errors kept first.
 */
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, renderBody, resolvedBody } from '../src/action/body.ts';
import type { LintReport } from '../src/findings/model.ts';
import { lintText } from './helpers.ts';

async function reportOf(sql: string): Promise<LintReport> {
  const file = await lintText(sql, {}, { path: 'db/migration/V9__big.sql' });
  return { postgresVersion: 16, postgresVersionSource: 'test', files: [file], fatal: [] };
}

const options = { marker: '<!-- zerodown-action: . -->', limit: COMMENT_LIMIT, scope: 'Migrations changed since main', elsewhere: 'all of them are in the job summary' };

describe('sticky comment body', () => {
  it('fits a large report under 65,536 characters and says that findings were left out', async () => {
    // users is not created here, so it is an existing table (it may hold data).
    const sql = Array.from({ length: 400 }, (_, i) => `CREATE INDEX users_i${i} ON users (email, name);`).join('\n');
    const report = await reportOf(sql);
    const errors = report.files[0].findings.filter((f) => f.severity === 'error').length;
    expect(errors).toBeGreaterThan(300);
    const body = renderBody(report, options);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.startsWith(options.marker)).toBe(true);
    expect(body).toMatch(/> ⚠️ \d+ finding\(s\) are not shown in full here \(GitHub's limit on the length of this text\): all of them are in the job summary\./);
    expect(body).toContain(`## zerodown: ${errors} error(s)`);
    // The first rows are errors, with the lock and what it blocks.
    expect(body).toMatch(/\| 🔴 error \| \[`index-not-concurrent`\]\([^)]+\) \| `db\/migration\/V9__big\.sql:\d+` \| SHARE on users/);
  });

  it('a small report is whole: table, and a collapsible section with the safe steps per finding', async () => {
    const report = await reportOf('SELECT 1;\n\nCREATE INDEX users_email ON users (email);\n');
    const body = renderBody(report, options);
    expect(body).not.toContain('not shown in full');
    expect(body).toContain('<details><summary><code>db/migration/V9__big.sql:3</code> <b>index-not-concurrent</b></summary>');
    expect(body).toContain('CREATE INDEX CONCURRENTLY users_email ON users (email);');
    expect(body).toContain('(outside a transaction)');
  });

  it('resolved text keeps the marker, so the same comment is found and updated', () => {
    const body = resolvedBody(options.marker, options.scope, 'abcdef1234567890');
    expect(body.startsWith(options.marker)).toBe(true);
    expect(body).toContain('## zerodown: resolved');
    expect(body).toContain('abcdef1234');
  });
});
