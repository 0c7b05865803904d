// npm run bench: every case on the Node that runs this script (Node 20 in CI) and on Node 24 (the
// npm `node@24` package, installed by scripts/node-runtime.mjs into a cache directory), then one
// table of both (docs/performance.md quotes it). BENCH_NODES=20 runs only the current Node.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import cold from './cold-single.mjs';
import corpus from './corpus.mjs';
import history from './history.mjs';
import large from './large-file.mjs';
import rerun from './rerun.mjs';
import tsMigrations from './ts-migrations.mjs';
import { nodeRuntime } from '../scripts/node-runtime.mjs';
import explicitList from './explicit-list.mjs';
import eslintCase from './eslint.mjs';
import action from './action.mjs';

console.log(`# zerodown benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);

const nodes = [{ label: `node ${process.version}`, bin: process.execPath }];
if (process.env.BENCH_NODES !== '20') nodes.push({ label: '', bin: nodeRuntime(24) });
for (const n of nodes) n.label ||= `node ${spawnSync(n.bin, ['--version'], { encoding: 'utf8' }).stdout.trim()}`;

const FORMATS = ['compact', 'json', 'sarif', 'markdown', 'github'];
const rows = [];
const fmt = (s) => `${s.wall.median.toFixed(0)} ms, ${s.peakMiB.median.toFixed(0)} MiB`;
for (const node of nodes) {
  process.env.BENCH_NODE = node.bin;
  console.log(`\n# zerodown on ${node.label}`);
  const a = await cold();
  rows.push([node.label, '(a) one small migration, cold', fmt(a.zerodown), `${a.ratio_squawk.median.toFixed(2)}× squawk`, '≤ 1.25× squawk']);
  const b = await corpus(FORMATS);
  rows.push([node.label, '(b) corpus, first run (--no-cache)', fmt(b.compact.zerodown), `${b.compact.ratio_squawk.median.toFixed(2)}× squawk`, '≤ 1.5× squawk, ≤ 150 MiB']);
  for (const f of FORMATS.slice(1)) {
    const ratio = b[f].zerodown.wall.median / b.compact.zerodown.wall.median;
    rows.push([node.label, `(d) corpus, --format ${f}`, fmt(b[f].zerodown), `${ratio.toFixed(2)}× compact`, '≤ 1.15× compact, ≤ 150 MiB']);
  }
  const c = await large();
  rows.push([node.label, '(c) 50,000-statement file', fmt(c.zerodown), `per statement ${c.perStatementRatio.toFixed(2)}× the corpus'`, '≤ 1.2×']);
  const e = await history();
  rows.push([node.label, '(e) one new migration after a 684-file history', fmt(e.zerodown), `${e.ratio_squawk.median.toFixed(2)}× squawk`, '—']);
  const { f1 } = await rerun();
  rows.push([node.label, "(b') corpus, cached re-run", fmt(f1.zerodown), `${f1.ratio_squawk.median.toFixed(2)}× squawk`, '≤ 0.6× squawk']);
}
await explicitList();
await tsMigrations();
// The Action runs on node24 (action.yml): measured there when that Node is available.
const g = await action({ node: nodes.at(-1).bin });
rows.push([`node ${g.node}`, '(g) GitHub Action on a PR adding one migration to a 700-file history, cold', `${g.wall.toFixed(0)} ms`, '—', '≤ 400 ms']);
const h = await eslintCase();
rows.push([nodes[0].label, '(h) ESLint lintText, warm (700-file history)', `${h.warmMedianMs.toFixed(1)} ms`, '—', '≤ 20 ms']);
rows.push([nodes[0].label, '(h) ESLint first lint, fresh process', `${h.firstLintMedianMs.toFixed(0)} ms`, '—', '≤ 300 ms']);

console.log('\n# summary (zerodown; ratios are medians of per-round ratios within this sitting)\n');
console.log('| node | case | zerodown | ratio | target |\n| --- | --- | ---: | ---: | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
