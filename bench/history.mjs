// (e) One new migration at the end of a long history (lemmy: 684 files before it), cold process.
// zerodown replays the history to know the schema; with the history cache (default) a repeated run
// restores that schema instead. squawk and pgfence read only the one file.
import fs from 'node:fs';
import path from 'node:path';
import { compare, isMain, CORPUS, tools } from './lib.mjs';

const run = () => {
  const dir = path.join(CORPUS, 'lemmy/migrations');
  const last = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort().at(-1);
  const file = path.join(dir, last, 'up.sql');
  return compare(`(e) one new migration after a 684-file history (lemmy ${last})`, {
    zerodown: tools.zerodown([file, '--format', 'compact']),
    'no-cache': tools.zerodown([file, '--format', 'compact', '--no-cache']),
    squawk: tools.squawk([file]),
    pgfence: tools.pgfence([file]),
  });
};

if (isMain(import.meta.url)) await run();
export default run;
