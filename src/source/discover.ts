/**
 * Finding migration files and ordering them as their tool does. A directory argument yields all its
 * migrations; a single file brings the earlier files of its directory along as history (replayed,
 * not reported).
 */
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { upwardDirs } from '../util/find-up.ts';
import { ioMessage } from './io-message.ts';
import { detectFormat, naturalCompare, orderKey, type MigrationFormat } from './formats.ts';
import type { IndexView } from './git-index.ts';
import { isScriptMigrationPath } from './ts/paths.ts';

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
export function globMatcher(glob: string): (rel: string) => boolean {
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
  /** The disk as the git index has it (--staged): other bytes for some files, some files absent. */
  index?: IndexView;
  /**
   * Absolute paths of the files to report (--changed-since, the GitHub Action): other migrations of
   * the named directories are replayed as history only.
   */
  only?: ReadonlySet<string>;
}

/** Where discovery lists and reads files: the disk, or a given file set (the git index). */
interface FileSource {
  /** 'dir', 'file' or undefined (does not exist). */
  kind(abs: string): 'dir' | 'file' | undefined;
  /** The .sql files under dir, recursively (skipping SKIP_DIRS and dot directories). */
  walk(dir: string, errors?: (dir: string, message: string) => void): string[];
  /** The file's bytes; undefined when unreadable (lint reports it). */
  read(file: string): Buffer | undefined;
}

/**
 * Collects .sql files below `dir`. Symbolic links are followed (a symlinked migration runs like any
 * other: skipping it would hide its findings); a link to a directory already walked (a loop) is not,
 * and a dangling link to a .sql name is reported.
 */
function walk(dir: string, out: string[], errors?: (dir: string, message: string) => void, seen: Set<string> = new Set()): void {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    real = dir;
  }
  if (seen.has(real)) return;
  seen.add(real);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    errors?.(dir, code === 'EACCES' ? 'permission denied' : ioMessage(e));
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const target = fs.statSync(full);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (e.name.toLowerCase().endsWith('.sql')) errors?.(full, code === 'ELOOP' ? 'symbolic link loop' : `dangling symbolic link (${code ?? 'unreadable target'})`);
        continue;
      }
    }
    if (isDir) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full, out, errors, seen);
    } else if (isFile && (e.name.toLowerCase().endsWith('.sql') || isScriptMigrationPath(full))) out.push(full);
  }
}

/** Why a path cannot be read, in the user's words (ENOENT, EACCES, ELOOP, …). */
function statError(abs: string): string {
  try {
    fs.statSync(abs);
    return 'cannot read';
  } catch (e) {
    return ioMessage(e);
  }
}

const DISK: FileSource = {
  kind(abs) {
    try {
      return fs.statSync(abs).isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  walk(dir, errors) {
    const out: string[] = [];
    walk(dir, out, errors);
    return out;
  },
  read(file) {
    try {
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  },
};

function indexSource(view: IndexView): FileSource {
  const hidden = (f: string): boolean => view.hidden.some((h) => (h.endsWith(path.sep) ? f.startsWith(h) : f === h));
  return {
    kind: (abs) => (view.contents.has(abs) ? 'file' : hidden(abs) ? undefined : DISK.kind(abs)),
    walk(dir, errors) {
      const files = DISK.walk(dir, errors).filter((f) => !hidden(f));
      // Staged files deleted from the work tree.
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      for (const f of view.contents.keys()) if (f.startsWith(prefix) && !files.includes(f)) files.push(f);
      return files;
    },
    read: (file) => view.contents.get(file) ?? DISK.read(file),
  };
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

function planned(file: string, report: boolean, bytes: Buffer | undefined, forced?: MigrationFormat, override?: string): PlannedFile {
  const format = forced ?? detectFormat(file, override ?? bytes?.subarray(0, 4096).toString('utf8') ?? '');
  const base = path.basename(file).toLowerCase();
  const down = /\.down\.sql$/.test(base) || base === 'down.sql' || /^u[0-9]/.test(base) || file.split(/[\\/]/).includes('revert');
  return { path: file, content: override === undefined ? bytes : undefined, report, format, direction: down ? 'down' : 'up' };
}

/** The config's include and exclude globs, relative to the working directory. */
export function pathFilter(opts: Pick<DiscoverOptions, 'cwd' | 'include' | 'exclude'>): (file: string) => boolean {
  const include = (opts.include ?? []).map(globMatcher);
  const exclude = (opts.exclude ?? []).map(globMatcher);
  return (file) => {
    const rel = path.relative(opts.cwd, file).split(path.sep).join('/');
    if (exclude.some((m) => m(rel))) return false;
    return include.length === 0 || include.some((m) => m(rel));
  };
}

/**
 * Plans the files to lint. Explicit files (a pre-commit or lint-staged list) are grouped by their
 * migrations directory, and each directory is listed and read once for all of them: the cost is
 * that of the directory run, whatever the number of files named, and so are the findings.
 */
export function discover(paths: string[], opts: DiscoverOptions): Plan {
  const errors: Plan['errors'] = [];
  const source = opts.index ? indexSource(opts.index) : DISK;
  const matches = pathFilter(opts);
  // Every file is read and classified once, whether named, found in a directory, or history.
  const seen = new Map<string, { bytes: Buffer | undefined; format: MigrationFormat; override?: string }>();
  const classify = (file: string, override?: string): { bytes: Buffer | undefined; format: MigrationFormat; override?: string } => {
    let c = seen.get(file);
    if (!c) {
      const bytes = override === undefined ? source.read(file) : undefined;
      c = { bytes, format: planned(file, false, bytes, opts.migrationFormat, override).format, override };
      seen.set(file, c);
    }
    return c;
  };
  const groups = new Map<string, Map<string, PlannedFile>>();
  const add = (file: string, report: boolean): void => {
    const c = classify(file, opts.overrides?.get(file));
    const f = planned(file, report, c.bytes, c.format, c.override);
    const root = orderKey(f.format, f.path).group;
    let g = groups.get(root);
    if (!g) groups.set(root, (g = new Map()));
    const prev = g.get(f.path);
    if (!prev || (!prev.report && f.report)) g.set(f.path, f);
  };
  // git names files by their real path; the walk by the path given.
  const reportable = (file: string): boolean => {
    if (!opts.only || opts.only.has(file)) return true;
    try {
      return opts.only.has(fs.realpathSync(file));
    } catch {
      return false;
    }
  };
  /** Directories whose earlier migrations are history for a named file. */
  const historyRoots = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    const kind = source.kind(abs);
    if (kind === undefined && !opts.overrides?.has(abs)) {
      errors.push({ path: p, message: source === DISK ? statError(abs) : 'not in the git index' });
      continue;
    }
    if (kind === 'dir') {
      const files = source.walk(abs, (dir, message) => errors.push({ path: path.relative(opts.cwd, dir) || p, message }));
      for (const f of files) if (!OTHER_DIALECT.test(f) && matches(f)) add(f, reportable(f));
    } else {
      add(abs, reportable(abs));
      historyRoots.add(orderKey(classify(abs).format, abs).group);
    }
  }
  for (const root of historyRoots) {
    for (const s of source.walk(root)) {
      if (OTHER_DIALECT.test(s) || groups.get(root)?.get(s)?.report) continue;
      if (orderKey(classify(s).format, s).group === root) add(s, false);
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
    if (last >= 0) out.push({ root, files: sorted.slice(0, last + 1) });
  }
  out.sort((a, b) => naturalCompare(a.root, b.root));
  return { groups: out, errors };
}
