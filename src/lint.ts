/**
 * Lints a plan of files: reads each one, replays each migrations directory in order with one schema,
 * and collects the report. IO problems become `fatal` entries; they never stop the other files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { detectRunner } from './analyze/detect-runner.ts';
import { Schema } from './analyze/schema.ts';
import { analyzeSql, type EngineOptions } from './engine.ts';
import type { FileResult, LintReport } from './model.ts';
import { initParser } from './parse/parser.ts';
import { mark } from './util/timing.ts';
import type { Rule } from './rule.ts';
import { discover, type DiscoverOptions } from './source/discover.ts';
import type { MigrationFormat } from './source/formats.ts';

export interface LintOptions extends EngineOptions {
  pgVersionSource: string;
  format?: MigrationFormat;
  /** Runner detected from repository markers applies to plain files. */
  detectRunner: boolean;
}

export type ReadResult = { text: string } | { error: string };

/** Reads a migration as UTF-8; binary files (NUL in the first 8 KiB) are an error, invalid UTF-8 is replaced. */
export function readSql(file: string, content?: Buffer): ReadResult {
  let buf: Buffer;
  try {
    buf = content ?? fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})` };
  }
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return { error: 'binary file (contains NUL bytes), not SQL' };
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
  return { text };
}

function sibling(file: string): (name: string) => string | undefined {
  return (name) => {
    try {
      return fs.readFileSync(path.join(path.dirname(file), name), 'utf8');
    } catch {
      return undefined;
    }
  };
}

export async function lintPaths(paths: string[], rules: readonly Rule[], options: LintOptions, discoverOptions: DiscoverOptions): Promise<LintReport> {
  await initParser();
  mark('parser ready');
  const plan = discover(paths, discoverOptions);
  mark('discovered');
  const report: LintReport = {
    postgresVersion: options.pgVersion,
    postgresVersionSource: options.pgVersionSource,
    files: [],
    fatal: plan.errors.map((e) => ({ path: e.path, message: e.message })),
  };
  const display = (p: string): string => path.relative(discoverOptions.cwd, p) || p;
  for (const group of plan.groups) {
    const schema = new Schema();
    const repoRunner = options.runner === null && options.detectRunner ? detectRunner(group.root) : undefined;
    for (const file of group.files) {
      const override = discoverOptions.overrides?.get(file.path);
      const read = override !== undefined ? (override.slice(0, 8192).includes('\u0000') ? { error: 'binary input (contains NUL bytes), not SQL' } : { text: override }) : readSql(file.path, file.content);
      if ('error' in read) {
        if (file.report) report.fatal.push({ path: display(file.path), message: read.error });
        continue;
      }
      const runner = options.runner ?? (file.format === 'plain' ? (repoRunner?.runner ?? null) : null);
      let result;
      try {
        result = analyzeSql(
          { path: display(file.path), text: read.text, format: file.format, readSibling: sibling(file.path), historyOnly: !file.report },
          schema,
          rules,
          { ...options, runner },
        );
      } catch (e) {
        // A bug of ours must not hide the other files' findings.
        report.fatal.push({ path: display(file.path), message: `internal error while analyzing: ${(e as Error).message}` });
        continue;
      }
      if (file.report) {
        if (repoRunner && file.format === 'plain' && !options.runner) result.notes.push(`runner ${repoRunner.runner} detected from ${display(repoRunner.source)}`);
        report.files.push(stripText(result));
      }
    }
  }
  return report;
}

function stripText(r: FileResult & { format?: unknown }): FileResult {
  return { path: r.path, statements: r.statements, findings: r.findings, notes: r.notes, text: r.text };
}
