import { it } from 'vitest';
import { lintText } from './helpers.ts';
it('probe', async () => {
  for (const n of [50_000, 100_000, 130_000, 200_000]) {
    try { const r = await lintText('SELECT 1;\n'.repeat(n)); console.log('stmts', n, 'ok', r.statements); } catch (e) { console.log('stmts', n, 'ERR', String(e)); }
    try { const r = await lintText('-- c\n'.repeat(n)); console.log('comments', n, 'ok', r.findings.length); } catch (e) { console.log('comments', n, 'ERR', String(e)); }
  }
}, 300000);
