/**
 * Issue 18 item 10: the engine streams a big file (parse a batch of statements, analyze it, drop its
 * trees) instead of holding every parse tree at once. Proven without timing: the CLI runs as a child
 * process with a 256 MB V8 heap (--max-old-space-size=256) on a generated file of the "huge input"
 * shape (test/hostile.test.ts), and must finish with exactly the expected findings at their lines.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, lintText, ROOT } from './helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-stream-'));

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** ~`bytes` of ADD COLUMNs with a hazard in the middle and at the end; the 1-based lines of the hazards. */
function hugeFile(file: string, bytes: number): { middleLine: number; lastLine: number; statements: number } {
  const parts: string[] = ['CREATE INDEX h_first ON t (a);\n'];
  let length = parts[0].length;
  let n = 0;
  const middle = Math.floor(bytes / 80);
  let middleLine = 0;
  while (length < bytes) {
    const s = `ALTER TABLE t ADD COLUMN c${n} int;\n`;
    parts.push(s);
    length += s.length;
    n++;
    if (n === middle) {
      parts.push('ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n');
      middleLine = parts.length;
    }
  }
  parts.push('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n');
  fs.writeFileSync(file, parts.join(''));
  return { middleLine, lastLine: parts.length, statements: n + 3 };
}

describe('streaming analysis', () => {
  it(
    'an 8 MB file completes under a 256 MB heap with every finding at its line',
    async () => {
      const file = path.join(dir, 'huge.sql');
      const { middleLine, lastLine, statements } = hugeFile(file, 8_000_000);
      // Asynchronously: the run takes a while, and the test worker must keep talking to vitest meanwhile.
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--max-old-space-size=256', CLI, file, '--no-cache', '--format', 'json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      expect(r.stderr).not.toMatch(/heap out of memory/i);
      expect(r.status).toBe(1);
      const out = JSON.parse(r.stdout) as { files: { statements: number; findings: { line: number; ruleId: string }[] }[] };
      expect(out.files).toHaveLength(1);
      expect(out.files[0].statements).toBe(statements);
      expect(out.files[0].findings.map((f) => [f.line, f.ruleId])).toEqual([
        [1, 'index-not-concurrent'],
        [1, 'lock-timeout-missing'],
        [middleLine, 'add-column-rewrite'],
        [lastLine, 'set-not-null-scan'],
      ]);
    },
    600_000,
  );

  it('a rule still sees statements of later batches (ctx.siblings), parsed again on demand, and positions stay exact', async () => {
    const filler = Array.from({ length: 20_000 }, (_, i) => `ALTER TABLE t ADD COLUMN c${i} int;`).join('\n');
    expect(filler.length).toBeGreaterThan(4 * 64 * 1024);
    const head = "SET lock_timeout = '2s';\nUPDATE orders SET status = 'new' WHERE status IS NULL;\n";
    const text = `${head}${filler}\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n`;
    const r = await lintText(text);
    expect(r.statements).toBe(20_003);
    const lastLine = 20_003;
    expect(r.findings.filter((f) => f.ruleId !== 'lock-timeout-missing').map((f) => [f.line, f.column, f.ruleId])).toEqual([
      [2, 1, 'backfill-under-lock'],
      [lastLine, 20, 'set-not-null-scan'],
    ]);
    expect(r.findings[0].message).toContain('before `ALTER TABLE orders ALTER COLUMN status SET NOT NULL`');
  });
});
