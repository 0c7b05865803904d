// Timing harness for whole commands: warm-up runs, then the commands in turn (A B C A B C …) so
// that machine drift hits them alike; wall time and peak RSS of the largest process of each run.
// Plain Node: peak memory comes from GNU time when present, else from polling /proc.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** True when the module at `url` is the script Node was started with (run directly, not imported). */
export const isMain = (url) => url === pathToFileURL(path.resolve(process.argv[1] ?? '')).href;
export const CORPUS = path.resolve(ROOT, '../shared/corpus/sql');
const GNU_TIME = fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : null;

export const tools = {
  // BENCH_NODE: the Node binary zerodown runs on (run-all.mjs sets it to Node 20 and Node 24 in turn).
  zerodown: (args) => [process.env.BENCH_NODE || process.execPath, path.join(ROOT, 'dist/cli.cjs'), ...args],
  squawk: (args) => [path.join(ROOT, 'node_modules/.bin/squawk'), ...args],
  pgfence: (args) => [path.join(ROOT, 'node_modules/.bin/pgfence'), 'analyze', ...args],
};

function descendants(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const kids = fs.readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // exited
    }
  }
  return out;
}

/** Runs argv once; returns wall ms, peak RSS (KiB) of its largest process, exit code. */
export function runOnce(argv, cwd = ROOT) {
  return new Promise((resolve) => {
    const cmd = GNU_TIME ? [GNU_TIME, '-f', '__PEAK_KB=%M', ...argv] : argv;
    const start = process.hrtime.bigint();
    const child = spawn(cmd[0], cmd.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = GNU_TIME
      ? null
      : setInterval(() => {
          for (const pid of descendants(child.pid)) {
            try {
              const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
              if (m) peak = Math.max(peak, Number(m[1]));
            } catch {
              // gone
            }
          }
        }, 2);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e6;
      if (poll) clearInterval(poll);
      const m = /__PEAK_KB=(\d+)/.exec(stderr);
      resolve({ wall, peakKiB: m ? Number(m[1]) : peak, code: code ?? -1, stderr: stderr.replace(/__PEAK_KB=\d+\n?/, '') });
    });
  });
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

/**
 * Times each named command `runs` times after `warmup` runs, alternating, and prints medians,
 * min/max, peak memory and zerodown/peer ratios (medians of per-round ratios).
 */
export async function compare(title, commands, { runs = 7, warmup = 2, cwd = ROOT } = {}) {
  // BENCH_RUNS caps the rounds (a quicker sitting on a busy machine; the report says how many ran).
  if (process.env.BENCH_RUNS) runs = Math.min(runs, Number(process.env.BENCH_RUNS));
  const names = Object.keys(commands);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warmup; i++) for (const n of names) await runOnce(commands[n], cwd);
  for (let i = 0; i < runs; i++) for (const n of names) results[n].push(await runOnce(commands[n], cwd));
  console.log(`\n## ${title}`);
  console.log(`runs: ${runs} after ${warmup} warm-up, alternating; wall ms and peak RSS MiB of the largest process`);
  console.log('tool        wall median (min–max)        peak MiB   exit');
  const summary = {};
  for (const n of names) {
    const w = stats(results[n].map((r) => r.wall));
    const m = stats(results[n].map((r) => r.peakKiB / 1024));
    const codes = [...new Set(results[n].map((r) => r.code))].join(',');
    summary[n] = { wall: w, peakMiB: m };
    console.log(`${n.padEnd(10)} ${w.median.toFixed(1).padStart(8)} (${w.min.toFixed(1)}–${w.max.toFixed(1)})`.padEnd(40) + `${m.median.toFixed(1).padStart(8)}   ${codes}`);
  }
  if (names.includes('zerodown')) {
    for (const peer of names.filter((n) => n !== 'zerodown')) {
      const ratios = results.zerodown.map((r, i) => r.wall / results[peer][i].wall);
      const r = stats(ratios);
      summary[`ratio_${peer}`] = r;
      console.log(`zerodown/${peer}: ${r.median.toFixed(2)}× (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)})`);
    }
  }
  return summary;
}
