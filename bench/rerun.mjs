// (f) Repeated whole-directory runs with the analysis cache (on by default; here in a temporary
// ZERODOWN_CACHE_DIR so that no earlier run counts):
//   f1: the whole corpus again, nothing changed (every directory's findings come from the cache);
//   f2: lemmy's migrations directory after one migration was added at the end: the stored results
//       cover the 684 files before it, so only the new one is analyzed. Each run restores the stored
//       entry first (a 10 MB copy, included in the figure), since a run stores the longer directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusFiles } from './corpus.mjs';
import { compare, isMain, CORPUS, runOnce, tools } from './lib.mjs';

const run = async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-bench-rerun-'));
  try {
    const corpusCache = path.join(tmp, 'cache-corpus');
    const f1 = await compare(
      '(f1) whole corpus, repeated run (analysis cache warm)',
      {
        zerodown: ['env', `ZERODOWN_CACHE_DIR=${corpusCache}`, ...tools.zerodown([CORPUS, '--format', 'compact'])],
        'no-cache': tools.zerodown([CORPUS, '--format', 'compact', '--no-cache']),
        squawk: tools.squawk(corpusFiles()),
      },
      { runs: 5, warmup: 1 },
    );

    const source = path.join(CORPUS, 'lemmy/migrations');
    const dirs = fs.readdirSync(source).filter((d) => fs.statSync(path.join(source, d)).isDirectory()).sort();
    const work = path.join(tmp, 'lemmy', 'migrations');
    for (const d of dirs.slice(0, -1)) fs.cpSync(path.join(source, d), path.join(work, d), { recursive: true });
    const cache = path.join(tmp, 'cache-lemmy');
    const stored = path.join(tmp, 'stored');
    await runOnce(['env', `ZERODOWN_CACHE_DIR=${cache}`, ...tools.zerodown([work, '--format', 'compact'])]);
    fs.cpSync(cache, stored, { recursive: true });
    const last = dirs.at(-1);
    fs.cpSync(path.join(source, last), path.join(work, last), { recursive: true });
    const zerodown = tools.zerodown([work, '--format', 'compact']).map((a) => `'${a}'`).join(' ');
    const f2 = await compare(`(f2) lemmy's directory after one new migration (${last}); the cache holds the 684 before it`, {
      zerodown: ['sh', '-c', `cp '${stored}'/* '${cache}'/ && ZERODOWN_CACHE_DIR='${cache}' exec ${zerodown}`],
      'no-cache': tools.zerodown([work, '--format', 'compact', '--no-cache']),
      squawk: tools.squawk([path.join(work, last, 'up.sql')]),
    });
    return { f1, f2 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

if (isMain(import.meta.url)) await run();
export default run;
