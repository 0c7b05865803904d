// (h) The commit-time hook: one new staged migration after a generated 700-file history, warm (an
// earlier commit's run left the analysis cache). Two ways a hook runs it: pre-commit/lint-staged
// pass the file (the work tree holds the staged content), a plain git hook runs `--staged` (read
// from the index). Target: ≤ 250 ms median; `node -e 0` shows how loaded the machine is (≈ 50 ms
// when quiet, see docs/performance.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateHistory } from './gen-history.mjs';
import { compare, isMain, runOnce, tools } from './lib.mjs';

const run = async () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-bench-hook-')));
  try {
    const git = (...args) => execFileSync('git', args, { cwd: tmp, stdio: 'pipe' });
    git('init', '-q');
    git('config', 'user.email', 'bench@example.com');
    git('config', 'user.name', 'bench');
    generateHistory(path.join(tmp, 'db/migrations'), 700);
    git('add', '.');
    git('commit', '-q', '-m', 'history');
    const file = 'db/migrations/0701_new.up.sql';
    fs.writeFileSync(path.join(tmp, file), 'CREATE INDEX t99_name_created_idx ON t99 (name, created_at);\n');
    git('add', file);
    const env = ['env', `ZERODOWN_CACHE_DIR=${path.join(tmp, '.cache')}`];
    const commands = {
      zerodown: [...env, ...tools.zerodown([file])],
      staged: [...env, ...tools.zerodown(['--staged'])],
      // The floor on this machine at this moment: Node starting an empty script.
      'node -e 0': [process.execPath, '-e', '0'],
    };
    // The run of an earlier commit: stores the history's schema.
    await runOnce(commands.zerodown, tmp);
    return await compare('(h) hook: one staged migration after a 700-file history, warm cache (file argument; --staged)', commands, { runs: 9, warmup: 2, cwd: tmp });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

if (isMain(import.meta.url)) await run();
export default run;
