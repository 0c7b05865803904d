import { it } from 'vitest';
import { lintText } from './helpers.ts';
it('probe', async () => {
  for (const d of [2000, 3000, 4000, 5000, 6000, 7000]) {
    for (const tail of ['', '\nCREATE INDEX i ON t(a);', '\nSELECT 2;']) {
    const sql = 'SELECT 1' + ' + 1'.repeat(d) + ';' + tail;
    try { const r = await lintText(sql); console.log('L', d, JSON.stringify(tail), 'ok', r.findings.map(f => f.ruleId + ':' + f.message.slice(40, 90))); } catch (e) { console.log('L', d, JSON.stringify(tail), 'ERR', (e as Error).stack?.split('\n').slice(0, 8).join('\n')); }
    }
  }
}, 120000);
