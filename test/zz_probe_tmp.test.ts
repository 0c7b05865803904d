import { it } from 'vitest';
import { lintText } from './helpers.ts';
const show = (r: any) => JSON.stringify({ s: r.statements, f: r.findings.map((f: any) => [f.ruleId, f.line, f.column, f.start, f.end, f.message.slice(0, 80)]) });
it('probe', async () => {
  for (const d of [1000, 3000, 5000, 9000, 100000]) {
    try { console.log('D', d, show(await lintText('ALTER TABLE t ADD COLUMN c int DEFAULT ' + '('.repeat(d) + 'random()' + ')'.repeat(d) + ';\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('D', d, 'ERR', String(e)); }
    try { console.log('S', d, show(await lintText('SELECT ' + '('.repeat(d) + '1' + ')'.repeat(d) + ';\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('S', d, 'ERR', String(e)); }
    try { console.log('U', d, show(await lintText('SELECT ' + '('.repeat(d) + '1;\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('U', d, 'ERR', String(e)); }
    try { console.log('A', d, show(await lintText('SELECT ' + 'ARRAY['.repeat(d) + '1' + ']'.repeat(d) + ';\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('A', d, 'ERR', String(e)); }
    try { console.log('N', d, show(await lintText('SELECT 1' + ' + 1'.repeat(d) + ';\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('N', d, 'ERR', String(e)); }
    try { console.log('C', d, show(await lintText('/*'.repeat(d) + '*/'.repeat(d) + '\nCREATE INDEX i ON t(a);'))); } catch (e) { console.log('C', d, 'ERR', String(e)); }
  }
}, 120000);
