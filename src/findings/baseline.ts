/**
 * Baselines: a file of accepted findings (`zerodown baseline`), so that `--baseline <file>` reports
 * only new ones. A finding's fingerprint is its file, rule and the whitespace-collapsed text of the
 * lines it spans, numbered among equal keys in the file: it survives lines moving up or down (an
 * edit above it) and changes when the flagged SQL itself changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FileResult, Finding } from './model.ts';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  fingerprint: string;
  /** For people reading the file; matching uses the fingerprint only. */
  path: string;
  ruleId: string;
  line: number;
}

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  tool: 'zerodown';
  findings: BaselineEntry[];
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

function spannedLines(text: string | undefined, f: Finding): string {
  if (text === undefined) return f.message;
  const lines = text.split('\n').slice(f.line - 1, f.endLine);
  return lines.join('\n').replace(/\s+/g, ' ').trim();
}

/** Fingerprints of a file's findings, in the findings' order. */
export function fingerprints(file: FileResult): string[] {
  const seen = new Map<string, number>();
  const path = file.path.split('\\').join('/');
  return file.findings.map((f) => {
    const key = `${path}\0${f.ruleId}\0${spannedLines(file.text, f)}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32);
  });
}

export function baselineOf(files: readonly FileResult[]): BaselineFile {
  const findings: BaselineEntry[] = [];
  for (const file of files) {
    const prints = fingerprints(file);
    file.findings.forEach((f, i) => findings.push({ fingerprint: prints[i], path: file.path.split('\\').join('/'), ruleId: f.ruleId, line: f.line }));
  }
  return { version: BASELINE_VERSION, tool: 'zerodown', findings };
}

/** Reads a baseline file; a one-line BaselineError naming the file when it is missing or not one. */
export function readBaseline(abs: string, file = abs): Set<string> {
  let raw: string;
  try {
    raw = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); create it with "zerodown baseline -o ${file}"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: not JSON (${(e as Error).message})`);
  }
  const findings = (parsed as Partial<BaselineFile> | null)?.findings;
  if (!Array.isArray(findings) || (parsed as BaselineFile).version !== BASELINE_VERSION || findings.some((f: unknown) => typeof (f as BaselineEntry)?.fingerprint !== 'string')) {
    throw new BaselineError(`--baseline ${file}: not a zerodown baseline (version ${BASELINE_VERSION} with a findings list); create it with "zerodown baseline -o ${file}"`);
  }
  return new Set(findings.map((f: BaselineEntry) => f.fingerprint));
}

/** The file without the findings the baseline accepted. */
export function withoutBaselined(file: FileResult, accepted: ReadonlySet<string>): FileResult {
  if (!file.findings.length) return file;
  const prints = fingerprints(file);
  const findings = file.findings.filter((_, i) => !accepted.has(prints[i]));
  return findings.length === file.findings.length ? file : { ...file, findings };
}
