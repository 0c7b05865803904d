// (b) The whole shared corpus in one process (zerodown also replays the schema and runs the full
// catalog). squawk gets the list of non-empty files; pgfence stops at its first unparseable file.
import fs from 'node:fs';
import path from 'node:path';
import { compare, isMain, CORPUS, tools } from './lib.mjs';

export function corpusFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.sql') && fs.statSync(full).size > 0) out.push(full);
    }
  };
  walk(CORPUS);
  return out.sort();
}

const run = async (formats = ['compact']) => {
  const files = corpusFiles();
  const out = {};
  for (const format of formats) {
    const commands = { zerodown: tools.zerodown([CORPUS, '--format', format, '--no-cache']), squawk: tools.squawk(format === 'sarif' || format === 'json' ? ['--reporter', 'json', ...files] : files) };
    if (format === 'compact') commands.pgfence = tools.pgfence(files);
    out[format] = await compare(`(b${format === 'compact' ? '' : '/d'}) whole corpus: ${files.length} non-empty files, --format ${format}`, commands, { runs: 5, warmup: 1 });
  }
  return out;
};

if (isMain(import.meta.url)) await run(process.argv.slice(2).length ? process.argv.slice(2) : ['compact']);
export default run;
