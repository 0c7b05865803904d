// (c) A generated 50,000-statement file: linear growth means its cost per statement is no more
// than 1.2× the corpus' cost per statement.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, isMain, CORPUS, runOnce, tools } from './lib.mjs';
import { corpusFiles } from './corpus.mjs';

export function generate(statements = 50_000) {
  const lines = ['CREATE TABLE big_t (id bigint PRIMARY KEY, a int, b text);'];
  const kinds = [
    (i) => `ALTER TABLE big_t ADD COLUMN c${i} int;`,
    (i) => `CREATE INDEX big_t_c${i - 1}_idx ON big_t (c${i - 1});`,
    (i) => `UPDATE big_t SET a = ${i} WHERE id = ${i};`,
    (i) => `INSERT INTO big_t (id, a, b) VALUES (${i}, ${i}, 'row ${i}');`,
    (i) => `COMMENT ON COLUMN big_t.c${i - 4} IS 'column ${i}';`,
  ];
  for (let i = 1; lines.length < statements; i++) lines.push(kinds[i % kinds.length](i));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zd-bench-')), 'big.sql');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const run = async () => {
  const file = generate();
  const summary = await compare('(c) generated 50,000-statement file', { zerodown: tools.zerodown([file, '--format', 'compact', '--no-cache']), squawk: tools.squawk([file]) }, { runs: 5, warmup: 1 });
  // Per-statement cost against the corpus, both measured now with zerodown.
  const corpusRuns = [];
  for (let i = 0; i < 3; i++) corpusRuns.push((await runOnce(tools.zerodown([CORPUS, '--format', 'compact', '--no-cache']))).wall);
  corpusRuns.sort((a, b) => a - b);
  const corpusStatements = 9577;
  const perCorpus = corpusRuns[1] / corpusStatements;
  const perBig = summary.zerodown.wall.median / 50_000;
  console.log(`per statement: corpus ${(perCorpus * 1000).toFixed(1)} µs (${corpusFiles().length} files, ~${corpusStatements} statements), 50k file ${(perBig * 1000).toFixed(1)} µs → ratio ${(perBig / perCorpus).toFixed(2)} (target ≤ 1.20)`);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { ...summary, perStatementRatio: perBig / perCorpus };
};

if (isMain(import.meta.url)) await run();
export default run;
