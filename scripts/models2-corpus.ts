/**
 * Runs the Sequelize, MikroORM, Kysely, raw-SQL and query-builder model readers over every project of
 * ../shared/corpus/ts (read-only; nothing is copied) and prints per project how many models and
 * columns each reader found, how many files it could not read, and the time taken. Exits 1 when a
 * reader throws (a reader must report problems, never crash).
 *
 *   npx vite-node scripts/models2-corpus.ts [corpus-dir]
 */
import fs from 'node:fs';
import path from 'node:path';
import { initParser } from '../src/parse/parser.ts';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { kyselyReader } from '../src/analyze/models/kysely.ts';
import { mikroOrmReader } from '../src/analyze/models/mikro-orm.ts';
import { queryBuilderReader } from '../src/analyze/models/query-builders.ts';
import { rawSqlReader } from '../src/analyze/models/raw-sql.ts';
import { sequelizeReader } from '../src/analyze/models/sequelize.ts';
import type { ModelReader, RevisionFiles } from '../src/analyze/models/types.ts';

const corpus = path.resolve(process.argv[2] ?? '../shared/corpus/ts');
const readers: ModelReader[] = [sequelizeReader, mikroOrmReader, kyselyReader, rawSqlReader, queryBuilderReader];

function tree(dir: string): RevisionFiles {
  const all: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) all.push(r);
    }
  };
  walk('');
  return {
    label: 'working tree',
    paths: () => all,
    read: (p) => {
      try {
        return fs.readFileSync(path.join(dir, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

await Promise.all([loadTypeScript(), initParser()]);
let crashed = 0;
const rows: string[] = ['project'.padEnd(22) + readers.map((r, i) => (i === 4 ? 'builders' : r.orm).padStart(22)).join('') + '   (models/columns/problems ms)'];
for (const project of fs.readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const files = tree(path.join(corpus, project));
  const cells: string[] = [];
  for (const reader of readers) {
    const started = performance.now();
    try {
      const r = reader.read(files);
      const cols = r.tables.reduce((n, t) => n + t.columns.length, 0);
      cells.push(`${r.tables.length}/${cols}/${r.problems.length} ${Math.round(performance.now() - started)}`.padStart(22));
      for (const p of r.problems) console.error(`${project}/${p.ref.path}:${p.ref.line}:${p.ref.column}: ${p.message}`);
    } catch (e) {
      crashed++;
      cells.push('CRASH'.padStart(22));
      console.error(`${project}: ${reader.orm} reader threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  rows.push(project.padEnd(22) + cells.join(''));
}
console.log(rows.join('\n'));
process.exit(crashed ? 1 : 0);
