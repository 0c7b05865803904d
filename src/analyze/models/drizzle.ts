/**
 * Drizzle reader: `pgTable('name', { … })`, `<schema>.table('name', { … })` where
 * `<schema> = pgSchema('s')`, columns given as an object or as `(t) => ({ … })`. A column's name is
 * the builder's first string argument (`text('legacy_name')`), else the property key — snake_cased
 * when the project passes `casing: 'snake_case'` to drizzle() (or to drizzle-kit's config).
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../../source/ts/typescript.ts';
import { snakeCase } from './naming.ts';
import { calleeName, chainRoot, isAppScript, literal, parseFile, propName, refOf, walk, type ParsedFile } from './ts-ast.ts';
import type { ModelColumn, ModelReader, ModelReadResult, RevisionFiles } from './types.ts';

const TABLE_FUNCTIONS = new Set(['pgTable']);

function columnsObject(ts: TypeScript, e: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  if (!e) return undefined;
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isArrowFunction(e)) {
    let body: TS.Node = e.body;
    while (ts.isParenthesizedExpression(body)) body = body.expression;
    if (ts.isObjectLiteralExpression(body)) return body;
  }
  return undefined;
}

export const drizzleReader: ModelReader = {
  orm: 'drizzle',
  read(files: RevisionFiles): ModelReadResult {
    const result: ModelReadResult = { tables: [], problems: [] };
    const parsed: ParsedFile[] = [];
    let snake = false;
    for (const path of files.paths()) {
      if (!isAppScript(path)) continue;
      const text = files.read(path);
      if (text === undefined || !/drizzle/.test(text)) continue;
      if (/\bcasing\s*:\s*['"]snake_case['"]/.test(text)) snake = true;
      if (!/\bpgTable\b|\bpgSchema\b/.test(text)) continue;
      try {
        parsed.push(parseFile(files, path, text));
      } catch (e) {
        result.problems.push({ ref: { path, line: 1, column: 1 }, message: `not parsed: ${(e as Error).message}` });
      }
    }
    for (const file of parsed) {
      const ts = file.ts;
      // const auth = pgSchema('auth')
      const schemas = new Map<string, string>();
      walk(ts, file.sf, (n) => {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isCallExpression(n.initializer) && calleeName(ts, n.initializer) === 'pgSchema') {
          const s = literal(ts, n.initializer.arguments[0]);
          if (s) schemas.set(n.name.text, s);
        }
      });
      walk(ts, file.sf, (n) => {
        if (!ts.isCallExpression(n)) return;
        const callee = n.expression;
        let schema: string | undefined;
        if (ts.isIdentifier(callee) && TABLE_FUNCTIONS.has(callee.text)) schema = undefined;
        else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'table' && ts.isIdentifier(callee.expression) && schemas.has(callee.expression.text)) schema = schemas.get(callee.expression.text);
        else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'pgTable' && ts.isIdentifier(callee.expression)) schema = undefined;
        else return;
        const table = literal(ts, n.arguments[0]);
        const cols = columnsObject(ts, n.arguments[1]);
        if (!table || !cols) return;
        const columns: ModelColumn[] = [];
        for (const p of cols.properties) {
          if (!ts.isPropertyAssignment(p)) continue;
          const field = propName(ts, p.name);
          if (!field) continue;
          const root = chainRoot(ts, p.initializer);
          if (!root) continue;
          const explicit = literal(ts, root.arguments[0]);
          columns.push({ column: explicit ?? (snake ? snakeCase(field) : field), field, ref: refOf(file, p.name), certainty: 'exact', markers: [] });
        }
        const decl = n.parent && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) ? n.parent.name.text : table;
        result.tables.push({ orm: 'drizzle', model: decl, table, ...(schema ? { schema } : {}), ref: refOf(file, n), certainty: 'exact', columns });
      });
    }
    return result;
  },
};
