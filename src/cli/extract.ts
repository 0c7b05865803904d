/**
 * `zerodown extract [paths…] --format json`: the statements zerodown reads from each migration, in
 * execution order, for users debugging a miss and for tests. The JSON shape is a fixed contract:
 * {"files":[{"path","runner","statements":[{"line","column","sql","origin","dynamic","conditional"}]}]}
 * (line and column 1-based, UTF-16 columns, at the statement's first token in the source file).
 */
import path from 'node:path';
import { detectRunner } from '../source/detect-runner.ts';
import { discover } from '../source/discover.ts';
import { FORMAT_RUNNER } from '../source/formats.ts';
import { lex } from '../source/lexer.ts';
import type { RunnerId } from '../source/runners.ts';
import { LineMap } from '../source/text.ts';
import { extractScript, type EmbeddedTarget } from '../source/ts/extract.ts';
import { isScriptFile, loadTypeScript, typescript } from '../source/ts/typescript.ts';
import { readSql } from '../engine/lint.ts';

export interface ExtractedJson {
  files: {
    path: string;
    runner: string | null;
    statements: { line: number; column: number; sql: string; origin: 'raw' | 'builder'; dynamic: boolean; conditional: boolean }[];
  }[];
}

export interface ExtractOptions {
  cwd: string;
  runner: RunnerId | null;
  include?: string[];
  exclude?: string[];
  /** Include down sections (like `lint --down`): off by default, as the up direction is what deploys. */
  down?: boolean;
  targets?: readonly EmbeddedTarget[];
}

export async function extract(paths: string[], opts: ExtractOptions): Promise<{ json: ExtractedJson; errors: string[] }> {
  const plan = discover(paths, { cwd: opts.cwd, include: opts.include, exclude: opts.exclude });
  const errors = plan.errors.map((e) => `${e.path}: ${e.message}`);
  const json: ExtractedJson = { files: [] };
  if (plan.groups.some((g) => g.files.some((f) => isScriptFile(f.path)))) await loadTypeScript();
  for (const group of plan.groups) {
    const repo = opts.runner ?? detectRunner(group.root)?.runner ?? null;
    for (const file of group.files) {
      if (!file.report) continue;
      const display = path.relative(opts.cwd, file.path) || file.path;
      const read = readSql(file.path, file.content);
      if ('error' in read) {
        errors.push(`${display}: ${read.error}`);
        continue;
      }
      const lines = new LineMap(read.text);
      if (!isScriptFile(file.path)) {
        const statements = lex(read.text).statements.map((s) => {
          const p = lines.position(s.start);
          return { line: p.line, column: p.column, sql: read.text.slice(s.start, s.end).replace(/;\s*$/, '').trim(), origin: 'raw' as const, dynamic: false, conditional: false };
        });
        json.files.push({ path: display, runner: opts.runner ?? FORMAT_RUNNER[file.format] ?? repo, statements });
        continue;
      }
      let mig;
      try {
        mig = extractScript(typescript(), file.path, read.text, { runner: opts.runner, targets: opts.targets });
      } catch (e) {
        errors.push(`${display}: internal error while extracting: ${(e as Error).message}`);
        continue;
      }
      if (!mig) continue;
      const statements: ExtractedJson['files'][number]['statements'] = [];
      for (const st of mig.statements) {
        if (st.synthetic || (st.direction === 'down' && !opts.down)) continue;
        const sql = st.sql;
        // One entry per SQL statement: a multi-statement template yields several.
        for (const span of lex(sql.text).statements) {
          let end = span.end;
          while (end > span.start && /[;\s]/.test(sql.text[end - 1])) end--;
          if (end <= span.start) continue;
          // Raw SQL: its first token; a builder call: where the call starts.
          const p = lines.position(st.origin === 'builder' ? st.call.start : sql.srcStart(span.start));
          // Unknown interpolations print as the `${…}` they stand for.
          let text = '';
          let at = span.start;
          for (const h of sql.holes) {
            if (h.start < span.start || h.end > end) continue;
            text += sql.text.slice(at, h.start) + read.text.slice(h.srcStart, h.srcEnd);
            at = h.end;
          }
          text += sql.text.slice(at, end);
          statements.push({
            line: p.line,
            column: p.column,
            sql: text,
            origin: st.origin,
            dynamic: sql.holes.some((h) => h.start < end && span.start < h.end),
            conditional: st.conditional,
          });
        }
      }
      json.files.push({ path: display, runner: mig.runner ?? repo, statements });
    }
  }
  return { json, errors };
}
