// (g) Explicit file lists, as pre-commit `--all-files` and lint-staged pass them: the 700 files of a
// generated history named one by one against the directory, analysis cache off. Linear cost means
// list/directory ≈ 1 (the target is ≤ 1.1×); before the fix the list was quadratic (12× on lemmy).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateHistory } from './gen-history.mjs';
import { compare, isMain, tools } from './lib.mjs';

const run = async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-bench-list-'));
  try {
    const files = generateHistory(path.join(tmp, 'migrations'), 700).map((f) => path.relative(tmp, f));
    const summary = await compare(
      '(g) 700 migrations as an explicit file list vs. the directory (--no-cache)',
      {
        zerodown: tools.zerodown([...files, '--format', 'compact', '--no-cache']),
        directory: tools.zerodown(['migrations', '--format', 'compact', '--no-cache']),
      },
      { runs: 5, warmup: 1, cwd: tmp },
    );
    console.log(`list/directory: ${summary.ratio_directory.median.toFixed(2)}× (target ≤ 1.10×)`);
    return summary;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

if (isMain(import.meta.url)) await run();
export default run;
