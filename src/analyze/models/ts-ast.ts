/**
 * Helpers for the TypeScript-based model readers: parse a file (syntax only, never type-checked
 * or run), read decorators, object literal options and string literals.
 */
import type * as TS from 'typescript';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import { refOf, scriptFile, type ScriptFile } from './script-files.ts';
import type { RevisionFiles } from './types.ts';

export { refOf };

/** A file of the revision, parsed once for every reader (script-files.ts holds the per-revision cache). */
export interface ParsedFile extends ScriptFile {
  ts: TypeScript;
}

/** Source files of application code: .ts/.js family, no declarations, no dependencies or build output. */
export function isAppScript(path: string): boolean {
  return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/i.test(path) && !/\.d\.[mc]?ts$/i.test(path) && !/(^|\/)(node_modules|dist|build|\.next|coverage)\//.test(path);
}

export function parseFile(files: RevisionFiles, path: string, text: string): ParsedFile {
  return { ...scriptFile(files, path, text), ts: typescript() };
}

/** Static string of a literal / no-substitution template. */
export function literal(ts: TypeScript, e: TS.Node | undefined): string | undefined {
  if (!e) return undefined;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return literal(ts, e.expression);
  return undefined;
}

export function propName(ts: TypeScript, name: TS.PropertyName | TS.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** The property `key` of an object literal. */
export function prop(ts: TypeScript, obj: TS.Expression | undefined, key: string): TS.Expression | undefined {
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propName(ts, p.name) === key) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
  }
  return undefined;
}

export function isFalse(ts: TypeScript, e: TS.Expression | undefined): boolean {
  return e?.kind === ts.SyntaxKind.FalseKeyword;
}

export interface DecoratorCall {
  name: string;
  args: readonly TS.Expression[];
  node: TS.Decorator;
}

/** Decorators of a class or member: `@Entity('x')` → { name: 'Entity', args }, `@Foo` → no args. */
export function decorators(ts: TypeScript, node: TS.Node): DecoratorCall[] {
  const list = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
  return list.map((d) => {
    const e = d.expression;
    const callee = ts.isCallExpression(e) ? e.expression : e;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return { name, args: ts.isCallExpression(e) ? e.arguments : [], node: d };
  });
}

/** Name of the called function at the root of a builder chain: `text('x').notNull()` → text call. */
export function chainRoot(ts: TypeScript, e: TS.Expression): TS.CallExpression | undefined {
  let cur: TS.Expression = e;
  for (;;) {
    if (ts.isCallExpression(cur)) {
      if (ts.isPropertyAccessExpression(cur.expression) && ts.isCallExpression(cur.expression.expression)) {
        cur = cur.expression.expression;
        continue;
      }
      return cur;
    }
    if (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur)) {
      cur = cur.expression;
      continue;
    }
    return undefined;
  }
}

export function calleeName(ts: TypeScript, call: TS.CallExpression): string | undefined {
  const c = call.expression;
  if (ts.isIdentifier(c)) return c.text;
  if (ts.isPropertyAccessExpression(c)) return c.name.text;
  return undefined;
}

/** Visits every node of the file. */
export function walk(ts: TypeScript, node: TS.Node, visit: (n: TS.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walk(ts, c, visit));
}
