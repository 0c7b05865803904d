// A synthetic migrations history for tests and benchmarks that must not read the shared corpus:
// `count` golang-migrate files (NNNN_name.up.sql) that create tables, add columns and indexes, and
// now and then do something a reviewer would flag, so that the history has findings too.
import fs from 'node:fs';
import path from 'node:path';

/** Writes the files into `dir` (created) and returns their absolute paths in order. */
export function generateHistory(dir, count = 700) {
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 1; i <= count; i++) {
    const t = `t${Math.floor((i - 1) / 7)}`;
    const step = (i - 1) % 7;
    const sql = [
      `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
      `ALTER TABLE ${t} ADD COLUMN note text;`,
      `CREATE INDEX CONCURRENTLY ${t}_name_idx ON ${t} (name);`,
      `ALTER TABLE ${t} ADD COLUMN score integer NOT NULL DEFAULT 0;`,
      // flagged: a plain index build blocks writes
      `CREATE INDEX ${t}_created_idx ON ${t} (created_at);`,
      `COMMENT ON TABLE ${t} IS 'table ${i}';`,
      // flagged: SET NOT NULL scans under ACCESS EXCLUSIVE
      `ALTER TABLE ${t} ALTER COLUMN note SET NOT NULL;`,
    ][step];
    const file = path.join(dir, `${String(i).padStart(4, '0')}_step_${i}.up.sql`);
    fs.writeFileSync(file, `-- migration ${i}\n${sql}\n`);
    files.push(file);
  }
  return files;
}
