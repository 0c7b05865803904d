/**
 * Static reading of application .ts/.js files for the model readers: the TypeScript parser only
 * (never a type check, never the user's code), plus the lookups every decorator- or call-based
 * reader needs (positions, decorators, literal strings, classes by name across files).
 * The caller loads the compiler first (`await loadTypeScript()`); readers stay synchronous.
 */
import type * as TS from 'typescript';
import { isScriptFile, typescript, type TypeScript } from '../../source/ts/typescript.ts';
import { propName, unwrap } from '../../source/ts/context.ts';
import type { RevisionFiles, SourceRef } from './types.ts';

export { propName, unwrap };

export interface ScriptFile {
  path: string;
  text: string;
  sf: TS.SourceFile;
}

/** Folders (and minified files) that hold generated or third-party code, never the project's models. */
const SKIPPED_DIR = /(^|\/)(node_modules|dist|build|coverage|\.git|\.next|out|vendor)\/|\.min\.[cm]?js$/;

/** Folders whose code does not run in the deployed application (migrations run once, tests never). */
const NOT_APP_CODE = /(^|\/)(migrations?|migrate|seeds?|seeders|alterations|__tests__|tests?|spec|e2e|fixtures?)\//i;
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/i;

/**
 * Script paths of application code: not vendored/built output, not migrations, seeds or tests;
 * declaration files (`db.d.ts`) only when asked.
 */
export function scriptPaths(files: RevisionFiles, declarations = false): string[] {
  return files.paths().filter((p) => (isScriptFile(p) || (declarations && /\.d\.[mc]?ts$/i.test(p))) && !SKIPPED_DIR.test(p) && !NOT_APP_CODE.test(p) && !TEST_FILE.test(p));
}

/** Parsed files per revision: the readers of one revision share each file's syntax tree. */
const parsedByRevision = new WeakMap<RevisionFiles, Map<string, ScriptFile>>();

/** A file of a revision, parsed once for all readers. */
export function scriptFile(files: RevisionFiles, path: string, text: string): ScriptFile {
  let cache = parsedByRevision.get(files);
  if (!cache) parsedByRevision.set(files, (cache = new Map()));
  let file = cache.get(path);
  if (!file || file.text !== text) cache.set(path, (file = { path, text, sf: parseScript(typescript(), path, text) }));
  return file;
}

/** Files whose text mentions one of `needles` (a cheap filter before parsing), parsed. */
export function parseMatching(files: RevisionFiles, needles: readonly string[], declarations = false): ScriptFile[] {
  const out: ScriptFile[] = [];
  for (const path of scriptPaths(files, declarations)) {
    const text = files.read(path);
    if (text === undefined || !needles.some((n) => text.includes(n))) continue;
    out.push(scriptFile(files, path, text));
  }
  return out;
}

export function parseScript(ts: TypeScript, path: string, text: string): TS.SourceFile {
  const kind = /\.[mc]?js$/i.test(path) ? ts.ScriptKind.JS : /x$/i.test(path) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
}

/** 1-based line and column of a node's first token. */
export function refOf(file: ScriptFile, node: TS.Node): SourceRef {
  const pos = file.sf.getLineAndCharacterOfPosition(node.getStart(file.sf));
  return { path: file.path, line: pos.line + 1, column: pos.character + 1 };
}

export interface DecoratorUse {
  name: string;
  args: readonly TS.Expression[];
  node: TS.Decorator;
}

/** Decorators on a node: `@Column`, `@Column(...)`, `@orm.Column(...)` all named `Column`. */
export function decoratorsOf(ts: TypeScript, node: TS.Node): DecoratorUse[] {
  if (!ts.canHaveDecorators(node)) return [];
  const out: DecoratorUse[] = [];
  for (const d of ts.getDecorators(node) ?? []) {
    const e = d.expression;
    const callee = ts.isCallExpression(e) ? e.expression : e;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name) out.push({ name, args: ts.isCallExpression(e) ? e.arguments : [], node: d });
  }
  return out;
}

/** The initializer of a `const` declared at the top level of the file, by name. */
export function constInitializer(ts: TypeScript, sf: TS.SourceFile, name: string): TS.Expression | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
    }
  }
  return undefined;
}

/** Follows identifiers to top-level consts of the same file (a bounded number of hops). */
export function resolveLocal(ts: TypeScript, sf: TS.SourceFile, expr: TS.Expression | undefined): TS.Expression | undefined {
  let e = expr && unwrap(ts, expr);
  for (let hops = 0; e && ts.isIdentifier(e) && hops < 5; hops++) {
    const init = constInitializer(ts, sf, e.text);
    if (!init) return e;
    e = unwrap(ts, init);
  }
  return e;
}

/** Static string value: literals, no-substitution templates, and consts holding them. */
export function stringOf(ts: TypeScript, sf: TS.SourceFile, expr: TS.Expression | undefined): string | undefined {
  const e = resolveLocal(ts, sf, expr);
  if (!e) return undefined;
  if (ts.isStringLiteralLike(e)) return e.text;
  return undefined;
}

/** `true` / `false` after following consts, else undefined. */
export function boolOf(ts: TypeScript, sf: TS.SourceFile, expr: TS.Expression | undefined): boolean | undefined {
  const e = resolveLocal(ts, sf, expr);
  if (!e) return undefined;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

/** An object literal, after following consts. */
export function objectOf(ts: TypeScript, sf: TS.SourceFile, expr: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const e = resolveLocal(ts, sf, expr);
  return e && ts.isObjectLiteralExpression(e) ? e : undefined;
}

/** A property of an object literal by name (the node of its value, or the shorthand name). */
export function member(ts: TypeScript, obj: TS.ObjectLiteralExpression | undefined, name: string): TS.Expression | undefined {
  if (!obj) return undefined;
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propName(ts, p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** A property by name, looking into spreads of local consts (`{ ...base, tableName }`); the last one wins as at run time. */
export function memberIn(ts: TypeScript, sf: TS.SourceFile, obj: TS.ObjectLiteralExpression | undefined, name: string, depth = 0): TS.Expression | undefined {
  if (!obj || depth > 5) return undefined;
  for (let i = obj.properties.length - 1; i >= 0; i--) {
    const p = obj.properties[i];
    if (ts.isPropertyAssignment(p) && propName(ts, p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    if (ts.isSpreadAssignment(p)) {
      const found = memberIn(ts, sf, objectOf(ts, sf, p.expression), name, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Has the object a spread whose contents are not known statically (an import, a call)? */
export function hasUnknownSpread(ts: TypeScript, sf: TS.SourceFile, obj: TS.ObjectLiteralExpression, depth = 0): boolean {
  return obj.properties.some((p) => {
    if (!ts.isSpreadAssignment(p)) return false;
    const inner = objectOf(ts, sf, p.expression);
    return !inner || (depth < 5 && hasUnknownSpread(ts, sf, inner, depth + 1));
  });
}

export interface ClassEntry {
  file: ScriptFile;
  decl: TS.ClassDeclaration;
}

/** Class declarations of the given files by name (several files may declare the same name). */
export function classIndex(ts: TypeScript, files: readonly ScriptFile[]): Map<string, ClassEntry[]> {
  const index = new Map<string, ClassEntry[]>();
  for (const file of files) {
    const visit = (node: TS.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) {
        const list = index.get(node.name.text) ?? [];
        list.push({ file, decl: node });
        index.set(node.name.text, list);
      }
      ts.forEachChild(node, visit);
    };
    visit(file.sf);
  }
  return index;
}

/** The name of the class a class extends (`extends Base<T>` → `Base`, `extends orm.Base` → `Base`). */
export function baseClassName(ts: TypeScript, decl: TS.ClassDeclaration): string | undefined {
  for (const h of decl.heritageClauses ?? []) {
    if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    const e = h.types[0]?.expression;
    if (!e) continue;
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) return e.name.text;
    // mixins: `extends Mixin(Base)` → the innermost identifier argument
    if (ts.isCallExpression(e)) {
      const arg = e.arguments[e.arguments.length - 1];
      if (arg && ts.isIdentifier(arg)) return arg.text;
    }
  }
  return undefined;
}

/**
 * The chain of classes from `decl` up through its bases that the project declares, nearest first.
 * A base declared in several files prefers the one in the same file, then the first found.
 */
export function classChain(ts: TypeScript, index: Map<string, ClassEntry[]>, start: ClassEntry): ClassEntry[] {
  const chain: ClassEntry[] = [start];
  const seen = new Set<TS.ClassDeclaration>([start.decl]);
  let cur = start;
  for (;;) {
    const base = baseClassName(ts, cur.decl);
    const candidates = base ? index.get(base) : undefined;
    if (!candidates?.length) return chain;
    const next = candidates.find((c) => c.file === cur.file) ?? candidates[0];
    if (seen.has(next.decl)) return chain;
    seen.add(next.decl);
    chain.push(next);
    cur = next;
  }
}

/** Property (field, getter) name of a class member. */
export function memberName(ts: TypeScript, m: TS.ClassElement): string | undefined {
  return m.name ? propName(ts, m.name) : undefined;
}

/** `fooBar` → `foo_bar`: the spelling of naming strategies that underscore camelCase. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** `foo_bar` → `fooBar`. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The distinct spellings to match when the naming strategy is not known: exact, snake, camel. */
export function spellings(name: string): string[] {
  return [...new Set([name, snakeCase(name), camelCase(name)])];
}

const EXTENSIONS = ['', '.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.d.ts', '/index.js'];

/**
 * The repository path a relative import specifier names (`./a.js` → `a.ts` as TypeScript's
 * node16 resolution allows), or undefined for packages and missing files.
 */
export function resolveImport(fromPath: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const parts = fromPath.split('/').slice(0, -1);
  for (const seg of specifier.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  const joined = parts.join('/');
  const stem = joined.replace(/\.(m|c)?js$/, '');
  for (const base of stem === joined ? [joined] : [stem, joined]) {
    for (const ext of EXTENSIONS) if (exists(base + ext)) return base + ext;
  }
  return undefined;
}
