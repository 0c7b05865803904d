/**
 * Finding migration files and ordering them as their tool does. A directory argument yields all its
 * migrations; a single file brings the earlier files of its directory along as history (replayed,
 * not reported).
 */
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { upwardDirs } from '../util/find-up.ts';
import { detectFormat, naturalCompare, orderKey, type MigrationFormat } from './formats.ts';

export interface PlannedFile {
  path: string;
  /** The file's bytes when discovery already read them (read once, used by lint). */
  content?: Buffer;
  /** Report findings (false: history, replayed only). */
  report: boolean;
  format: MigrationFormat;
  direction: 'up' | 'down';
}

export interface PlanGroup {
  /** The migrations directory (one history). */
  root: string;
  files: PlannedFile[];
}

export interface Plan {
  groups: PlanGroup[];
  errors: { path: string; message: string }[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'target', 'vendor', 'verify']);
/** popx ships per-dialect variants; only the PostgreSQL ones (and dialect-neutral files) run on Postgres. */
const OTHER_DIALECT = /\.(mysql|sqlite3?|cockroach|crdb|mssql|sqlserver)\.(up|down)\.sql$/i;

/**
 * An include/exclude glob (picomatch syntax: `*`, `**`, `?`, `[0-9]`, `{a,b}`), matched against the
 * path relative to the working directory or any trailing part of it that starts at a `/`, so
 * `seed/*.sql` also matches `db/seed/x.sql` (as before) while `**\/seed/**` never matches `reseed/`.
 */
function globMatcher(glob: string): (rel: string) => boolean {
  const isMatch = picomatch(glob, { dot: true });
  return (rel) => {
    if (isMatch(rel)) return true;
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) if (isMatch(rel.slice(i + 1))) return true;
    return false;
  };
}

export interface DiscoverOptions {
  cwd: string;
  include?: string[];
  exclude?: string[];
  /** Force this migration file format instead of detecting it per file. */
  migrationFormat?: MigrationFormat;
  /** In-memory contents by absolute path (--stdin, editor buffers); such paths need not exist. */
  overrides?: ReadonlyMap<string, string>;
}

function walk(dir: string, out: string[], errors?: (dir: string, message: string) => void): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    errors?.(dir, code === 'EACCES' ? 'permission denied' : `cannot read directory (${code ?? (e as Error).message})`);
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full, out, errors);
    } else if (e.isFile() && e.name.toLowerCase().endsWith('.sql')) out.push(full);
  }
}

/** Reads a file once for format detection; lint reuses the bytes. Unreadable: undefined (lint reports it). */
function readOnce(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function sqitchPlanOrder(root: string): Map<string, number> | undefined {
  for (const dir of upwardDirs(root, { maxDepth: 4 })) {
    const plan = path.join(dir, 'sqitch.plan');
    if (fs.existsSync(plan)) {
      const order = new Map<string, number>();
      let n = 0;
      for (const line of fs.readFileSync(plan, 'utf8').split('\n')) {
        const m = /^([^\s%@#][^\s]*)/.exec(line);
        if (m) order.set(`${m[1]}.sql`, n++);
      }
      return order;
    }
  }
  return undefined;
}

function sortGroup(files: PlannedFile[]): PlannedFile[] {
  const keyed = files.map((f) => ({ f, k: orderKey(f.format, f.path) }));
  const plan = keyed.length && keyed[0].f.format === 'sqitch' ? sqitchPlanOrder(keyed[0].k.group) : undefined;
  keyed.sort((a, b) => {
    if (plan) {
      const pa = plan.get(a.k.key) ?? Infinity;
      const pb = plan.get(b.k.key) ?? Infinity;
      if (pa !== pb) return pa - pb;
    }
    return naturalCompare(a.k.key, b.k.key) || a.k.rank - b.k.rank || naturalCompare(a.f.path, b.f.path);
  });
  return keyed.map((x) => x.f);
}

function planned(file: string, report: boolean, forced?: MigrationFormat, override?: string): PlannedFile {
  const bytes = override === undefined ? readOnce(file) : undefined;
  const format = forced ?? detectFormat(file, override ?? bytes?.subarray(0, 4096).toString('utf8') ?? '');
  const base = path.basename(file).toLowerCase();
  const down = /\.down\.sql$/.test(base) || base === 'down.sql' || /^u[0-9]/.test(base) || file.split(/[\\/]/).includes('revert');
  return { path: file, content: bytes, report, format, direction: down ? 'down' : 'up' };
}

export function discover(paths: string[], opts: DiscoverOptions): Plan {
  const errors: Plan['errors'] = [];
  const include = (opts.include ?? []).map(globMatcher);
  const exclude = (opts.exclude ?? []).map(globMatcher);
  const matches = (file: string): boolean => {
    const rel = path.relative(opts.cwd, file).split(path.sep).join('/');
    if (exclude.some((m) => m(rel))) return false;
    return include.length === 0 || include.some((m) => m(rel));
  };
  const groups = new Map<string, Map<string, PlannedFile>>();
  const add = (f: PlannedFile): void => {
    const root = orderKey(f.format, f.path).group;
    let g = groups.get(root);
    if (!g) groups.set(root, (g = new Map()));
    const prev = g.get(f.path);
    if (!prev || (!prev.report && f.report)) g.set(f.path, f);
  };
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch {
      if (!opts.overrides?.has(abs)) {
        errors.push({ path: p, message: 'no such file or directory' });
        continue;
      }
    }
    if (stat?.isDirectory()) {
      const files: string[] = [];
      walk(abs, files, (dir, message) => errors.push({ path: path.relative(opts.cwd, dir) || p, message }));
      for (const f of files) if (!OTHER_DIALECT.test(f) && matches(f)) add(planned(f, true, opts.migrationFormat));
    } else {
      const f = planned(abs, true, opts.migrationFormat, opts.overrides?.get(abs));
      add(f);
      // History: the earlier migrations of the same directory.
      const root = orderKey(f.format, abs).group;
      const siblings: string[] = [];
      walk(root, siblings);
      for (const s of siblings) {
        if (s === abs || OTHER_DIALECT.test(s)) continue;
        const h = planned(s, false, opts.migrationFormat);
        if (orderKey(h.format, s).group === root) add(h);
      }
    }
  }
  const out: PlanGroup[] = [];
  for (const [root, files] of groups) {
    const sorted = sortGroup([...files.values()]);
    // History after the last reported file is irrelevant.
    let last = -1;
    sorted.forEach((f, i) => {
      if (f.report) last = i;
    });
    out.push({ root, files: sorted.slice(0, last + 1) });
  }
  out.sort((a, b) => naturalCompare(a.root, b.root));
  return { groups: out, errors };
}
