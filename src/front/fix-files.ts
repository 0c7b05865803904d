/**
 * `--fix`: applies the findings' mechanical rewrites to the files, and never damages one.
 * - Only migrations that are new relative to the deployed revision are edited (see source/git.ts);
 *   the others may have run, and Flyway/Prisma refuse a changed applied migration. --fix-all overrides.
 * - A file is edited in its own encoding, BOM and line endings, and only when its bytes round-trip;
 *   each round's edits are planned for every file before any is written, and each file is written
 *   atomically (temp file + rename); a failed write reports which files were already changed.
 * - A fix that makes a new finding appear (e.g. NOT VALID + VALIDATE turning a one-statement file
 *   into an implicit transaction) is taken back, and the file named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applyFixes } from '../findings/fix.ts';
import type { FileResult, LintReport } from '../findings/model.ts';
import { decodeSql, encodeSql } from '../source/encoding.ts';
import { deployedBase, newSince } from '../source/git.ts';

export interface FixOptions {
  cwd: string;
  /** Edit every file with a fix, including migrations already on the deployed branch. */
  all: boolean;
  /** The ref standing for the deployed revision (default: upstream, origin/HEAD, main, master…). */
  deployedRef?: string;
  /** One line for the user (stderr). */
  log: (line: string) => void;
}

export interface FixResult {
  report: LintReport;
  /** 2 when a file could not be written (the report is then of the files as they are). */
  code: 0 | 2;
}

const MAX_ROUNDS = 5;

/** Count of findings per rule, to tell whether a fix added one. */
function ruleCounts(file: FileResult | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of file?.findings ?? []) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

function added(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([id, n]) => n > (before.get(id) ?? 0)).map(([id]) => id);
}

/** Writes `bytes` to the file behind `file` (through a symlink) via a temp file and a rename, keeping its mode. */
export function writeAtomic(file: string, bytes: Uint8Array): void {
  const target = fs.realpathSync(file);
  const mode = fs.statSync(target).mode & 0o7777;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.zerodown-${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes, { mode });
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

interface Planned {
  abs: string;
  display: string;
  before: Buffer;
  after: Buffer;
  applied: number;
}

/** The new bytes of one file, or why it is not fixed. */
function plan(abs: string, file: FileResult): Planned | { refused: string } | undefined {
  const fixes = file.findings.flatMap((f) => (f.fix ? [f.fix] : []));
  if (!fixes.length || file.text === undefined) return undefined;
  let before: Buffer;
  try {
    before = fs.readFileSync(abs);
  } catch (e) {
    return { refused: `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const decoded = decodeSql(before);
  if ('error' in decoded) return { refused: decoded.error };
  if (decoded.text !== file.text) return { refused: 'changed on disk while zerodown ran' };
  const same = encodeSql(decoded.text, decoded.encoding);
  if (!same || !same.equals(before)) return { refused: `its bytes do not survive decoding as ${decoded.encoding} and encoding back, so an edit could change more than the fix` };
  const result = applyFixes(decoded.text, fixes);
  if (result.applied === 0 || result.text === decoded.text) return undefined;
  const after = encodeSql(result.text, decoded.encoding);
  if (!after) return { refused: `the fix adds characters that ${decoded.encoding} cannot represent` };
  return { abs, display: file.path, before, after, applied: result.applied };
}

export async function fixFiles(lint: () => Promise<LintReport>, options: FixOptions): Promise<FixResult> {
  const { cwd, log } = options;
  const abs = (file: FileResult): string => path.resolve(cwd, file.path);
  let report = await lint();
  const fixable = report.files.filter((f) => f.findings.some((x) => x.fix));
  if (!fixable.length) return { report, code: 0 };

  // Which files may be edited.
  const allowed = new Set(fixable.map(abs));
  if (!options.all) {
    const base = deployedBase(cwd, options.deployedRef);
    if (!base) {
      log('zerodown: not in a git repository with an upstream or main/master branch, so applied migrations cannot be told from new ones: fixing every file (pass --deployed-ref <ref> to choose the deployed revision)');
    } else {
      const { deployed } = newSince(base, [...allowed]);
      for (const d of deployed) allowed.delete(d);
      if (deployed.length) {
        log(
          `zerodown: left ${deployed.length} file(s) with fixable findings unchanged: they are already in ${base.ref} (merge-base ${base.commit.slice(0, 10)}), so they may have been applied — ` +
            'Flyway and Prisma Migrate checksum applied migrations and refuse or report drift when one changes, and other runners never re-run it. ' +
            'Fix them with a new migration, or pass --fix-all to edit them anyway.',
        );
      }
    }
  }

  const changed = new Map<string, string>();
  const skipped = new Set<string>();
  let fixedCount = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Plan every file's edits before writing any.
    const planned: Planned[] = [];
    for (const file of report.files) {
      const p = abs(file);
      if (!allowed.has(p) || skipped.has(p)) continue;
      const step = plan(p, file);
      if (!step) continue;
      if ('refused' in step) {
        log(`zerodown: ${file.path}: not fixed: ${step.refused}`);
        skipped.add(p);
        continue;
      }
      planned.push(step);
    }
    if (!planned.length) break;
    for (const [i, p] of planned.entries()) {
      try {
        writeAtomic(p.abs, p.after);
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        const done = [...changed.values(), ...planned.slice(0, i).map((x) => x.display)];
        log(`zerodown: ${p.display}: cannot write (${why}); it is unchanged.`);
        log(done.length ? `zerodown: files already fixed (each complete): ${[...new Set(done)].join(', ')}` : 'zerodown: no file was changed');
        return { report: await lint(), code: 2 };
      }
    }
    const previous = report;
    report = await lint();
    // A fix must never produce a finding: take back each file's round whose findings gained a rule.
    const byPath = (r: LintReport, file: string): FileResult | undefined => r.files.find((f) => abs(f) === file);
    const takenBack: Planned[] = [];
    for (const p of planned) {
      const gained = added(ruleCounts(byPath(previous, p.abs)), ruleCounts(byPath(report, p.abs)));
      if (gained.length) {
        writeAtomic(p.abs, p.before);
        skipped.add(p.abs);
        takenBack.push(p);
        log(`zerodown: ${p.display}: fix not applied: the rewritten file would get new findings (${gained.join(', ')})`);
      }
    }
    for (const p of planned) {
      if (takenBack.includes(p)) continue;
      fixedCount += p.applied;
      changed.set(p.abs, p.display);
    }
    if (takenBack.length) report = await lint();
  }
  if (fixedCount) log(`zerodown: fixed ${fixedCount} problem(s) in ${changed.size} file(s)`);
  return { report, code: 0 };
}
