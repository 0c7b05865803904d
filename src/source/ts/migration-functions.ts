/**
 * The parts of a TS/JS migration file the extractor walks from: its `up`/`down` functions (class
 * methods, object properties, exported functions, `exports.up =`), the lexical scopes of the names
 * it binds, and whether it opts out of its runner's transaction.
 */
import type * as TS from 'typescript';
import type { RunnerId } from '../runners.ts';
import { unwrap } from './context.ts';
import type { TypeScript } from './typescript.ts';

export type Binding = { kind: 'handle' } | { kind: 'expr'; expr: TS.Expression; scope: Scope } | { kind: 'function'; fn: TS.FunctionLikeDeclaration; scope: Scope } | { kind: 'unknown' };

export class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

export interface MigrationFunctions {
  up?: TS.FunctionLikeDeclaration;
  down?: TS.FunctionLikeDeclaration;
  cls?: TS.ClassLikeDeclaration;
}

/** Finds `up`/`down`: class methods, object properties, exported functions and `exports.up =`. */
export function findFunctions(ts: TypeScript, sf: TS.SourceFile): MigrationFunctions {
  const found: MigrationFunctions = {};
  const take = (name: string, fn: TS.Node | undefined, cls?: TS.ClassLikeDeclaration): void => {
    if (!fn) return;
    let f: TS.Node = fn;
    while (ts.isParenthesizedExpression(f) || ts.isAsExpression(f) || ts.isSatisfiesExpression(f)) f = f.expression;
    if (!(ts.isFunctionDeclaration(f) || ts.isFunctionExpression(f) || ts.isArrowFunction(f) || ts.isMethodDeclaration(f))) return;
    if (!f.body) return;
    const key = name === 'up' || name === 'migrateUp' ? 'up' : name === 'down' || name === 'migrateDown' ? 'down' : undefined;
    if (!key || found[key]) return;
    found[key] = f;
    if (cls && !found.cls) found.cls = cls;
  };
  const visit = (node: TS.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      for (const m of node.members) if (ts.isMethodDeclaration(m) && m.name && ts.isIdentifier(m.name)) take(m.name.text, m, node);
    } else if (ts.isFunctionDeclaration(node) && node.name) take(node.name.text, node);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) take(node.name.text, node.initializer);
    else if (ts.isPropertyAssignment(node)) {
      const n = node.name;
      if (ts.isIdentifier(n) || ts.isStringLiteral(n)) take(n.text, node.initializer);
    } else if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent) && ts.isIdentifier(node.name)) take(node.name.text, node);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      take(node.left.name.text, node.right);
    }
    if (!found.up || !found.down) ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The names a binding pattern declares (`{ a, b: [c] }` → a, c). */
export function bindingNames(ts: TypeScript, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingNames(ts, el.name));
  return out;
}

/** Where the migration opts out of its runner's transaction, if it does. */
export function noTransaction(ts: TypeScript, sf: TS.SourceFile, source: string, runner: RunnerId | null, fns: MigrationFunctions): string | undefined {
  if (runner === 'typeorm' && fns.cls) {
    for (const m of fns.cls.members) {
      if (ts.isPropertyDeclaration(m) && m.name.getText(sf) === 'transaction' && m.initializer && unwrap(ts, m.initializer).kind === ts.SyntaxKind.FalseKeyword) return '`transaction = false` on the migration class';
    }
  }
  if (runner === 'mikro-orm' && fns.cls) {
    for (const m of fns.cls.members) {
      if (ts.isMethodDeclaration(m) && m.name.getText(sf) === 'isTransactional' && /return\s+false\b/.test(m.body?.getText(sf) ?? '')) return '`isTransactional()` returns false';
    }
  }
  if (runner === 'knex' && /\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false/.test(source)) return '`config = { transaction: false }`';
  if (runner === 'node-pg-migrate' && fns.up && /\.noTransaction\s*\(\s*\)/.test(fns.up.getText(sf))) return '`pgm.noTransaction()`';
  return undefined;
}
