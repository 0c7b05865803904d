/**
 * Kysely's database interface, read statically. The tables are the properties of the type given to
 * `Kysely<DB>` / `Transaction<DB>` anywhere in the project (or of an interface or type named `DB`,
 * the name kysely-codegen emits), following type aliases, intersections (`a.PartialDB & b.PartialDB`),
 * local and imported declarations and `[tableName]` keys that name a string const. Each table's
 * columns are the properties of its row interface (`Generated<>` and `ColumnType<>` columns alike).
 * A key `"auth.users"` is table `users` in schema `auth`. When the project constructs a
 * `CamelCasePlugin`, the TypeScript names are camelCase and the database names are its snake_case.
 */
import type * as TS from 'typescript';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import { boolOf, member, objectOf, parseMatching, propName, refOf, resolveImport, scriptFile, stringOf, type ScriptFile } from './script-files.ts';
import type { Certainty, ColumnMarker, ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles } from './types.ts';

type Declaration = TS.InterfaceDeclaration | TS.TypeAliasDeclaration;

interface Located {
  file: ScriptFile;
  decl: Declaration;
}

/** How TypeScript names become database names. */
interface Naming {
  map: (name: string) => string;
  certainty: Certainty;
}

const DB_TYPE_NAMES = new Set(['DB', 'Database']);
const ROOT_GENERICS = new Set(['Kysely', 'Transaction']);

export const kyselyReader: ModelReader = {
  orm: 'kysely',
  read(files: RevisionFiles): ModelReadResult {
    const ts = typescript();
    const result: ModelReadResult = { tables: [], problems: [] };
    // kysely-codegen writes its DB interface to a declaration file (`db.d.ts`) as often as to a .ts one.
    const parsed = parseMatching(files, ['kysely', 'Kysely'], true);
    if (parsed.length === 0) return result;
    const resolver = new TypeResolver(ts, files);
    for (const f of parsed) resolver.add(f);
    const naming = camelCaseNaming(ts, parsed);
    const seen = new Set<Declaration>();
    for (const root of roots(ts, resolver, parsed)) {
      if (seen.has(root.decl)) continue;
      seen.add(root.decl);
      try {
        for (const t of resolver.tablesOf(root, naming)) {
          if (!result.tables.some((x) => x.table === t.table && x.schema === t.schema && x.ref.path === t.ref.path && x.ref.line === t.ref.line)) result.tables.push(t);
        }
      } catch (e) {
        result.problems.push({ ref: refOf(root.file, root.decl), message: `Kysely database interface not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return result;
  },
};

/** Declarations used as the database type: `Kysely<X>` type arguments, else interfaces named DB. */
function roots(ts: TypeScript, resolver: TypeResolver, files: readonly ScriptFile[]): Located[] {
  const out: Located[] = [];
  for (const file of files) {
    const visit = (node: TS.Node): void => {
      const typeArg =
        ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ROOT_GENERICS.has(node.expression.text)
          ? node.typeArguments?.[0]
          : ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && ROOT_GENERICS.has(node.typeName.text)
            ? node.typeArguments?.[0]
            : undefined;
      if (typeArg && ts.isTypeReferenceNode(typeArg)) {
        const found = resolver.resolve(file, typeArg.typeName);
        if (found) out.push(found);
      }
      if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && DB_TYPE_NAMES.has(node.name.text)) out.push({ file, decl: node });
      ts.forEachChild(node, visit);
    };
    visit(file.sf);
  }
  return out;
}

/** `new CamelCasePlugin(opts?)` anywhere in the project: the snake_case mapping with its options. */
function camelCaseNaming(ts: TypeScript, files: readonly ScriptFile[]): Naming {
  for (const file of files) {
    let found: Naming | undefined;
    const visit = (node: TS.Node): void => {
      if (found) return;
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'CamelCasePlugin') {
        const arg = node.arguments?.[0];
        const opts = objectOf(ts, file.sf, arg);
        const flag = (k: string): boolean | undefined => boolOf(ts, file.sf, member(ts, opts, k));
        const known = !arg || (!!opts && opts.properties.every((p) => p.name && ['upperCase', 'underscoreBeforeDigits', 'underscoreBetweenUppercaseLetters', 'maintainNestedObjectKeys'].includes(propName(ts, p.name) ?? '') && ts.isPropertyAssignment(p) && boolOf(ts, file.sf, p.initializer) !== undefined));
        const options = { upperCase: flag('upperCase') === true, underscoreBeforeDigits: flag('underscoreBeforeDigits') === true, underscoreBetweenUppercaseLetters: flag('underscoreBetweenUppercaseLetters') === true };
        found = { map: (n) => kyselySnakeCase(n, options), certainty: known ? 'exact' : 'probable' };
      }
      ts.forEachChild(node, visit);
    };
    visit(file.sf);
    if (found) return found;
  }
  return { map: (n) => n, certainty: 'exact' };
}

/**
 * CamelCasePlugin's camelCase → snake_case mapping, as its documentation describes: an underscore
 * before each upper-case letter that follows a non-upper-case one (`fooBar` → `foo_bar`, `fooBAR` →
 * `foo_bar`), optionally before every upper-case letter and before the first digit of a run.
 */
export function kyselySnakeCase(name: string, o: { upperCase: boolean; underscoreBeforeDigits: boolean; underscoreBetweenUppercaseLetters: boolean }): string {
  if (name.length === 0) return name;
  const isUpper = (c: string): boolean => c === c.toUpperCase() && c !== c.toLowerCase();
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';
  let out = name[0].toLowerCase();
  for (let i = 1; i < name.length; i++) {
    const c = name[i];
    const prev = name[i - 1];
    if (o.underscoreBeforeDigits && isDigit(c) && !isDigit(prev)) out += `_${c}`;
    else if (isUpper(c)) out += o.underscoreBetweenUppercaseLetters || !isUpper(prev) ? `_${c.toLowerCase()}` : c.toLowerCase();
    else out += c;
  }
  return o.upperCase ? out.toUpperCase() : out;
}

/** Finds interface / type alias declarations by name through local scope and relative imports. */
class TypeResolver {
  private readonly parsed = new Map<string, ScriptFile | null>();

  constructor(
    private readonly ts: TypeScript,
    private readonly files: RevisionFiles,
  ) {}

  add(file: ScriptFile): void {
    this.parsed.set(file.path, file);
  }

  private fileAt(path: string): ScriptFile | undefined {
    if (!this.parsed.has(path)) {
      const text = this.files.read(path);
      this.parsed.set(path, text === undefined ? null : scriptFile(this.files, path, text));
    }
    return this.parsed.get(path) ?? undefined;
  }

  private known: Set<string> | undefined;

  private exists = (path: string): boolean => (this.known ??= new Set(this.files.paths())).has(path);

  /** A type name (`DB`, `ns.PartialDB`) as seen from `file`. */
  resolve(file: ScriptFile, name: TS.EntityName, depth = 0): Located | undefined {
    const ts = this.ts;
    if (depth > 8) return undefined;
    if (ts.isQualifiedName(name)) {
      if (!ts.isIdentifier(name.left)) return undefined;
      const target = this.namespaceImport(file, name.left.text);
      return target ? this.exported(target, name.right.text, depth + 1) : undefined;
    }
    return this.local(file, name.text) ?? this.imported(file, name.text, depth);
  }

  private local(file: ScriptFile, name: string): Located | undefined {
    for (const st of file.sf.statements) {
      if ((this.ts.isInterfaceDeclaration(st) || this.ts.isTypeAliasDeclaration(st)) && st.name.text === name) return { file, decl: st };
    }
    return undefined;
  }

  private namespaceImport(file: ScriptFile, alias: string): ScriptFile | undefined {
    const ts = this.ts;
    for (const st of file.sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const nb = st.importClause?.namedBindings;
      if (nb && ts.isNamespaceImport(nb) && nb.name.text === alias) return this.target(file, st.moduleSpecifier.text);
    }
    return undefined;
  }

  private target(file: ScriptFile, specifier: string): ScriptFile | undefined {
    const path = resolveImport(file.path, specifier, this.exists);
    return path ? this.fileAt(path) : undefined;
  }

  private imported(file: ScriptFile, name: string, depth: number): Located | undefined {
    const ts = this.ts;
    for (const st of file.sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const nb = st.importClause?.namedBindings;
      if (!nb || !ts.isNamedImports(nb)) continue;
      const el = nb.elements.find((e) => e.name.text === name);
      if (!el) continue;
      const target = this.target(file, st.moduleSpecifier.text);
      return target ? this.exported(target, (el.propertyName ?? el.name).text, depth + 1) : undefined;
    }
    return undefined;
  }

  /** An exported declaration of a module, following `export { X } from` and `export *` re-exports. */
  private exported(file: ScriptFile, name: string, depth: number): Located | undefined {
    const ts = this.ts;
    if (depth > 8) return undefined;
    const own = this.local(file, name);
    if (own) return own;
    for (const st of file.sf.statements) {
      if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const target = this.target(file, st.moduleSpecifier.text);
      if (!target) continue;
      if (!st.exportClause) {
        const found = this.exported(target, name, depth + 1);
        if (found) return found;
      } else if (ts.isNamedExports(st.exportClause)) {
        const el = st.exportClause.elements.find((e) => e.name.text === name);
        if (el) return this.exported(target, (el.propertyName ?? el.name).text, depth + 1);
      }
    }
    return this.imported(file, name, depth + 1);
  }

  /** Property signatures of a type: interface members (with `extends`), type literals, intersections. */
  private members(at: Located, type: TS.TypeNode | undefined, depth: number): { file: ScriptFile; sig: TS.PropertySignature }[] {
    const ts = this.ts;
    if (depth > 8) return [];
    const out: { file: ScriptFile; sig: TS.PropertySignature }[] = [];
    const fromNode = (node: TS.TypeNode): void => {
      if (ts.isTypeLiteralNode(node)) {
        for (const m of node.members) if (ts.isPropertySignature(m)) out.push({ file: at.file, sig: m });
      } else if (ts.isIntersectionTypeNode(node)) node.types.forEach(fromNode);
      else if (ts.isParenthesizedTypeNode(node)) fromNode(node.type);
      else if (ts.isTypeReferenceNode(node)) {
        const inner = this.resolve(at.file, node.typeName);
        if (inner) out.push(...this.members(inner, undefined, depth + 1));
      }
    };
    if (type) fromNode(type);
    else if (ts.isInterfaceDeclaration(at.decl)) {
      for (const h of at.decl.heritageClauses ?? []) {
        for (const t of h.types) {
          const e = t.expression;
          const inner = ts.isIdentifier(e) ? this.resolve(at.file, e) : undefined;
          if (inner) out.push(...this.members(inner, undefined, depth + 1));
        }
      }
      for (const m of at.decl.members) if (ts.isPropertySignature(m)) out.push({ file: at.file, sig: m });
    } else fromNode(at.decl.type);
    return out;
  }

  /** A property key: identifier, string literal, or `[constName]` holding a string. */
  private keyOf(file: ScriptFile, name: TS.PropertyName): string | undefined {
    const ts = this.ts;
    if (ts.isComputedPropertyName(name)) return stringOf(ts, file.sf, name.expression);
    return propName(ts, name);
  }

  /**
   * `ColumnType<Select, never, …>` keeps a column out of INSERTs and `ColumnType<…, …, never>` out of
   * UPDATEs (https://kysely-org.github.io/kysely-apidoc/types/ColumnType.html).
   */
  private markers(type: TS.TypeNode | undefined): ColumnMarker[] {
    const ts = this.ts;
    if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || type.typeName.text !== 'ColumnType') return [];
    const [, insert, update] = type.typeArguments ?? [];
    const never = (t: TS.TypeNode | undefined): boolean => t?.kind === ts.SyntaxKind.NeverKeyword;
    const out: ColumnMarker[] = [];
    if (never(insert)) out.push('no-insert');
    if (never(update)) out.push('no-update');
    return out;
  }

  tablesOf(db: Located, naming: Naming): ModelTable[] {
    const ts = this.ts;
    const tables: ModelTable[] = [];
    for (const { file, sig } of this.members(db, undefined, 0)) {
      const key = this.keyOf(file, sig.name);
      if (key === undefined || !sig.type) continue;
      const dot = key.indexOf('.');
      const schema = dot > 0 ? key.slice(0, dot) : undefined;
      const tableKey = dot > 0 ? key.slice(dot + 1) : key;
      const rowType = sig.type;
      const row = ts.isTypeReferenceNode(rowType) ? this.resolve(file, rowType.typeName) : undefined;
      const cols = row ? this.members(row, undefined, 0) : ts.isTypeLiteralNode(rowType) ? this.members({ file, decl: db.decl }, rowType, 0) : [];
      const columns: ModelColumn[] = [];
      for (const c of cols) {
        const field = this.keyOf(c.file, c.sig.name);
        if (field === undefined) continue;
        columns.push({ column: naming.map(field), field, ref: refOf(c.file, c.sig.name), certainty: naming.certainty, markers: this.markers(c.sig.type) });
      }
      tables.push({
        orm: 'kysely',
        model: row ? row.decl.name.text : key,
        schema: schema === undefined ? undefined : naming.map(schema),
        table: naming.map(tableKey),
        ref: refOf(file, sig.name),
        certainty: naming.certainty,
        columns,
      });
    }
    return tables;
  }
}
