/**
 * Measures `zerodown trace` on the shared corpus (../shared/corpus/sql): for each project, replays
 * its full history in PGlite twice in one process (first = includes PGlite start-up and WASM
 * compilation for the first project; warm = a second run) and counts how its statements traced.
 *
 *   npx vite-node scripts/trace-corpus.ts [corpus-dir] [--json out.json] [--only name,name] [--once]
 */
import fs from 'node:fs';
import path from 'node:path';
import { trace, type TraceReport } from '../src/trace/trace.ts';

const args = process.argv.slice(2);
const corpus = path.resolve(args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--json' && args[args.indexOf(a) - 1] !== '--only') ?? '../shared/corpus/sql');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const once = args.includes('--once');

const PROJECTS: Record<string, string> = {
  harbor: 'make/migrations/postgresql',
  pkgsite: 'migrations',
  documenso: 'packages/prisma/migrations',
  dokploy: 'apps/dokploy/drizzle',
  kratos: 'persistence/sql/migrations/sql',
  lemmy: 'migrations',
};

/** One project's line: the trace summary's counts, timings, and what failed most. */
interface Row extends Pick<TraceReport['summary'], 'files' | 'statements' | 'traced' | 'failed' | 'untraceable' | 'skipped' | 'byCategory' | 'findings' | 'disagreements'> {
  project: string;
  firstMs: number;
  warmMs?: number;
  extensions: string[];
  topErrors: string[];
}

async function run(project: string, dir: string): Promise<{ report: TraceReport; ms: number }> {
  const t0 = performance.now();
  const engine = { pgVersion: 18, runner: null, rules: new Map(), down: 'same', lockTimeoutMs: 0, statementTimeoutMs: 0, reportUnusedIgnores: false } as const;
  const report = await trace([dir], { engine, checkDown: false, cwd: path.join(corpus, project) });
  return { report, ms: Math.round(performance.now() - t0) };
}

const rows: Row[] = [];
for (const [project, dir] of Object.entries(PROJECTS)) {
  if (only && !only.includes(project)) continue;
  if (!fs.existsSync(path.join(corpus, project, dir))) continue;
  const first = await run(project, dir);
  const warm = once ? undefined : await run(project, dir);
  const s = first.report.summary;
  const errors = new Map<string, number>();
  for (const f of first.report.files) for (const st of f.statements) if (st.error) {
    const k = `${st.status}/${st.error.category}: ${st.error.message.replace(/"[^"]*"/g, '"…"').slice(0, 90)}`;
    errors.set(k, (errors.get(k) ?? 0) + 1);
  }
  const row: Row = {
    project,
    files: s.files,
    statements: s.statements,
    traced: s.traced,
    failed: s.failed,
    untraceable: s.untraceable,
    skipped: s.skipped,
    byCategory: s.byCategory,
    findings: s.findings,
    disagreements: s.disagreements,
    firstMs: first.ms,
    warmMs: warm?.ms,
    extensions: first.report.backend.extensions,
    topErrors: [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${n}× ${k}`),
  };
  rows.push(row);
  console.error(`${project}: ${row.statements} statements, ${row.traced} traced, first ${row.firstMs} ms, warm ${row.warmMs ?? '-'} ms`);
}

const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const lines = [
  '| project | files | statements | traced cleanly | failed | not traceable | skipped | first run | warm run | findings | disagreements |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.project} | ${r.files} | ${r.statements} | ${r.traced} (${pct(r.traced, r.statements)}) | ${r.failed} | ${r.untraceable} | ${r.skipped} | ${(r.firstMs / 1000).toFixed(1)} s | ${r.warmMs === undefined ? '-' : `${(r.warmMs / 1000).toFixed(1)} s`} | ${r.findings} | ${r.disagreements} |`),
  '',
  '| project | by error category | most frequent errors |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.project} | ${Object.entries(r.byCategory).map(([k, v]) => `${k} ${v}`).join(', ') || '-'} | ${r.topErrors.join('<br>').replace(/\|/g, '\\|') || '-'} |`),
];
console.log(lines.join('\n'));
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 2) + '\n');
