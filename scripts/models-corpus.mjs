// Runs the ORM model readers over every project of ../shared/corpus/ts (application code and
// schema.prisma files, read as a working tree without git) and prints per project and ORM how many
// tables and columns were read, and every problem (a file that looked like a model but could not
// be read), and on stderr the time each reader took per project. Exits 1 when a reader crashes.
// Every reader of MODEL_READERS runs: Prisma, TypeORM, Drizzle, Sequelize, MikroORM, Kysely, raw SQL
// and query builders (the last two report as orm raw-sql). Plain node against the built library:
// needs dist/ (npm run build).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, process.argv[2] ?? '../shared/corpus/ts');
if (!fs.existsSync(corpus)) {
  console.error(`models-corpus: ${corpus} not found (expected ../shared beside the checkout)`);
  process.exit(2);
}
const { readModels, workingTree, loadTypeScript, loadPrismaAst, initParser, MODEL_READERS } = await import(path.join(root, 'dist/index.js'));
// The readers are synchronous: every parser they use is loaded first.
await Promise.all([loadTypeScript(), loadPrismaAst(), initParser()]);

let crashed = 0;
const projects = fs.readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
console.log(`| project | ORM | tables | columns | probable names | problems |\n| --- | --- | --- | --- | --- | --- |`);
for (const project of projects) {
  const started = performance.now();
  const files = workingTree(path.join(corpus, project), false);
  const rev = { tables: [], problems: [] };
  const times = [];
  try {
    for (const [i, reader] of MODEL_READERS.entries()) {
      const t0 = performance.now();
      const r = readModels(files, [reader]);
      rev.tables.push(...r.tables);
      rev.problems.push(...r.problems);
      times.push(`${reader.orm}${reader.orm === 'raw-sql' && MODEL_READERS.slice(0, i).some((x) => x.orm === 'raw-sql') ? ' (builders)' : ''} ${Math.round(performance.now() - t0)}`);
    }
  } catch (e) {
    crashed++;
    console.log(`| ${project} | CRASH | | | | ${e.message} |`);
    continue;
  }
  const byOrm = new Map();
  for (const t of rev.tables) {
    const s = byOrm.get(t.orm) ?? { tables: 0, columns: 0, probable: 0 };
    s.tables++;
    s.columns += t.columns.length;
    s.probable += t.columns.filter((c) => c.certainty === 'probable').length + (t.certainty === 'probable' ? 1 : 0);
    byOrm.set(t.orm, s);
  }
  const failed = rev.problems.filter((p) => /reader failed/.test(p.message));
  crashed += failed.length;
  if (!byOrm.size) console.log(`| ${project} | — | 0 | 0 | 0 | ${rev.problems.length} |`);
  for (const [orm, s] of byOrm) console.log(`| ${project} | ${orm} | ${s.tables} | ${s.columns} | ${s.probable} | ${rev.problems.length} |`);
  for (const p of rev.problems) console.log(`|   ${p.ref.path}:${p.ref.line}:${p.ref.column} | | | | | ${p.message.replace(/\|/g, '\\|').slice(0, 160)} |`);
  process.stderr.write(`${project}: ${Math.round(performance.now() - started)} ms, ${files.paths().length} files (ms per reader: ${times.join(', ')})\n`);
}
process.exit(crashed ? 1 : 0);
