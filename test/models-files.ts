/** Model-reader test support: a project written into a temp dir, read back as a RevisionFiles. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelTable, RevisionFiles } from '../src/analyze/models/types.ts';

/** Writes `files` (relative path → text) into a new temp dir and returns it as the working tree. */
export function writeProject(files: Record<string, string>): RevisionFiles & { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-models-'));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dirFiles(dir);
}

/** Every file under `dir` (node_modules skipped) as a read-only revision. */
export function dirFiles(dir: string, label = 'working tree'): RevisionFiles & { dir: string } {
  const all: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '.git') walk(r);
      } else if (e.isFile()) all.push(r);
    }
  };
  walk('');
  return {
    dir,
    label,
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

/** `table: [columns]` per model, the shape most assertions compare. */
export function columnsByTable(tables: readonly ModelTable[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tables) out[t.schema ? `${t.schema}.${t.table}` : t.table] = t.columns.map((c) => c.column).sort();
  return out;
}

export function tableNamed(tables: readonly ModelTable[], table: string): ModelTable {
  const t = tables.find((x) => x.table === table);
  if (!t) throw new Error(`no model for table ${table}; read: ${tables.map((x) => x.table).join(', ')}`);
  return t;
}
