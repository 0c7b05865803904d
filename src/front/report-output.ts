/**
 * The lint report on its way out: the format's streaming writer (src/report) fed while the lint
 * runs, its pieces gathered into ~64 KiB writes to standard output or to --output-file. No whole
 * report string is built (a corpus' JSON is ~18 MB of UTF-16 before encoding).
 */
import fs from 'node:fs';
import type { FileResult, LintReport } from '../findings/model.ts';
import { REPORT_STREAMS, type OutputFormat } from '../report/index.ts';
import type { ReporterContext, ReportHead } from '../report/types.ts';

const PIECE = 1 << 16;

export interface ReportOutput {
  file(file: FileResult): void;
  /** Writes the rest and closes the file; returns the write error, if any, as the user should see it. */
  end(report: LintReport): string | undefined;
}

/** `outFile` (absolute) is opened at the first write, so a short report writes it once at the end, as before. */
export function openReportOutput(format: OutputFormat, head: ReportHead, ctx: ReporterContext, outFile?: string): ReportOutput {
  let pieces: string[] = [];
  let size = 0;
  let fd: number | undefined;
  let error: string | undefined;
  const emit = (text: string): void => {
    if (!outFile) {
      // Synchronous for files and pipes on Linux and macOS (Node's process I/O), so this stays small.
      process.stdout.write(text);
      return;
    }
    if (error) return;
    try {
      fd ??= fs.openSync(outFile, 'w');
      fs.writeSync(fd, text);
    } catch (e) {
      error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  };
  const flush = (): void => {
    if (!size) return;
    emit(pieces.join(''));
    pieces = [];
    size = 0;
  };
  const writer = REPORT_STREAMS[format]((chunk) => {
    pieces.push(chunk);
    size += chunk.length;
    if (size >= PIECE) flush();
  }, head, ctx);
  return {
    file: (f) => writer.file(f),
    end(report) {
      writer.end(report);
      flush();
      if (outFile && fd === undefined && !error) emit(''); // an empty report still creates the file
      if (fd !== undefined) fs.closeSync(fd);
      return error;
    },
  };
}
