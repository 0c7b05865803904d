/**
 * MikroORM entities, read statically: decorated classes (`@Entity`, `@Property`, `@PrimaryKey`,
 * `@Enum`, `@ManyToOne`, owning `@OneToOne`), `new EntitySchema({…})` and `defineEntity({…})`.
 * Names follow the naming strategy: UnderscoreNamingStrategy is MikroORM's default for SQL drivers
 * (BookTag → book_tag, bookTag → book_tag, relation `author` → author_id); a configured
 * EntityCaseNamingStrategy keeps the property names; any other configured strategy is unknown
 * statically, so each column is reported under its exact/snake/camel spellings as `probable`.
 * Properties that are not columns are skipped: `persist: false`, `@Formula`, collections
 * (`@OneToMany`, `@ManyToMany`), the inverse side of `@OneToOne` (`mappedBy`).
 */
import type * as TS from 'typescript';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import {
  boolOf,
  classChain,
  classIndex,
  decoratorsOf,
  member,
  memberName,
  objectOf,
  parseMatching,
  propName,
  refOf,
  resolveLocal,
  spellings,
  stringOf,
  unwrap,
  type ClassEntry,
  type ScriptFile,
} from './script-files.ts';
import type { ColumnMarker, ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles, SourceRef } from './types.ts';

type Naming = 'underscore' | 'entity-case' | 'unknown';

/** UnderscoreNamingStrategy's spelling: an underscore between a lower-case letter and a capital, then lower case (BookTag → book_tag). */
export function underscore(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A property before naming: explicit field names win over the strategy. */
interface Prop {
  name: string;
  kind: 'scalar' | 'join';
  fieldNames?: string[];
  /** For joins: the referenced primary key column of the target (default `id`). */
  referenced?: string;
  markers: ColumnMarker[];
  ref: SourceRef;
  /** The explicit name is not certain either (an embeddable's own fieldName under a prefix). */
  probable?: boolean;
}

const MIKRO = ['@mikro-orm/', 'mikro-orm'];

export const mikroOrmReader: ModelReader = {
  orm: 'mikro-orm',
  read(files: RevisionFiles): ModelReadResult {
    const ts = typescript();
    const parsed = parseMatching(files, MIKRO);
    const result: ModelReadResult = { tables: [], problems: [] };
    const naming = namingStrategy(ts, parsed);
    const classes = classIndex(ts, parsed);
    for (const file of parsed) {
      try {
        readFile(ts, file, naming, classes, result);
      } catch (e) {
        result.problems.push({ ref: { path: file.path, line: 1, column: 1 }, message: `MikroORM entities not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return result;
  },
};

/** The `namingStrategy:` of the project's MikroORM config, if any. */
function namingStrategy(ts: TypeScript, files: readonly ScriptFile[]): Naming {
  let naming: Naming = 'underscore';
  for (const file of files) {
    const visit = (node: TS.Node): void => {
      if (ts.isPropertyAssignment(node) && propName(ts, node.name) === 'namingStrategy') {
        const v = unwrap(ts, node.initializer);
        const name = ts.isIdentifier(v) ? v.text : ts.isPropertyAccessExpression(v) ? v.name.text : '';
        naming = name === 'UnderscoreNamingStrategy' ? 'underscore' : name === 'EntityCaseNamingStrategy' ? 'entity-case' : 'unknown';
      }
      ts.forEachChild(node, visit);
    };
    visit(file.sf);
  }
  return naming;
}

function readFile(ts: TypeScript, file: ScriptFile, naming: Naming, classes: Map<string, ClassEntry[]>, out: ModelReadResult): void {
  const visit = (node: TS.Node): void => {
    if (ts.isClassDeclaration(node) && node.name) {
      const entity = decoratorsOf(ts, node).find((d) => d.name === 'Entity');
      const opts = objectOf(ts, file.sf, entity?.args[0]);
      if (entity && boolOf(ts, file.sf, member(ts, opts, 'abstract')) !== true) {
        out.tables.push(decoratedEntity(ts, { file, decl: node }, opts, naming, classes));
      }
    } else if ((ts.isNewExpression(node) && calleeName(ts, node.expression) === 'EntitySchema') || (ts.isCallExpression(node) && calleeName(ts, node.expression) === 'defineEntity')) {
      const opts = objectOf(ts, file.sf, node.arguments?.[0]);
      const table = opts && schemaEntity(ts, file, opts, naming, classes);
      if (table) out.tables.push(table);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sf);
}

function calleeName(ts: TypeScript, e: TS.Expression): string | undefined {
  return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

/** `() => Author`, `'Author'`, `Author` → `Author`. */
function targetName(ts: TypeScript, file: ScriptFile, expr: TS.Expression | undefined): string | undefined {
  const e = expr && unwrap(ts, expr);
  if (!e) return undefined;
  if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) return targetName(ts, file, e.body);
  if (ts.isIdentifier(e)) return e.text;
  return stringOf(ts, file.sf, e);
}

/** The primary key column of an entity class the project declares (its explicit fieldName or property). */
function primaryKeyOf(ts: TypeScript, classes: Map<string, ClassEntry[]>, name: string | undefined, naming: Naming): string | undefined {
  const entry = name ? classes.get(name)?.[0] : undefined;
  if (!entry) return undefined;
  for (const { file, decl } of classChain(ts, classes, entry)) {
    for (const m of decl.members) {
      const pk = decoratorsOf(ts, m).find((d) => d.name === 'PrimaryKey');
      const prop = memberName(ts, m);
      if (!pk || prop === undefined) continue;
      const field = stringOf(ts, file.sf, member(ts, objectOf(ts, file.sf, pk.args[0]), 'fieldName'));
      return field ?? (naming === 'entity-case' ? prop : underscore(prop));
    }
  }
  return undefined;
}

/** The options object of a relation decorator: `(() => X, { … })` or `({ entity: () => X, … })`. */
function relationOptions(ts: TypeScript, file: ScriptFile, args: readonly TS.Expression[]): { target?: string; opts?: TS.ObjectLiteralExpression; inverse: boolean } {
  const first = objectOf(ts, file.sf, args[0]);
  if (first) return { target: targetName(ts, file, member(ts, first, 'entity')), opts: first, inverse: false };
  const second = args[1] && unwrap(ts, args[1]);
  // `@OneToOne(() => User, (user) => user.profile)`: the second argument is mappedBy.
  const inverse = !!second && (ts.isArrowFunction(second) || ts.isFunctionExpression(second) || ts.isStringLiteralLike(second));
  return { target: targetName(ts, file, args[0]), opts: objectOf(ts, file.sf, args[2] ?? args[1]), inverse };
}

function decoratedEntity(ts: TypeScript, entry: ClassEntry, opts: TS.ObjectLiteralExpression | undefined, naming: Naming, classes: Map<string, ClassEntry[]>): ModelTable {
  const props = new Map<string, Prop>();
  for (const { file, decl } of [...classChain(ts, classes, entry)].reverse()) {
    for (const m of decl.members) {
      const name = memberName(ts, m);
      if (name === undefined || !m.name) continue;
      const decs = decoratorsOf(ts, m);
      const ref = refOf(file, m.name);
      for (const d of decs) {
        if (d.name === 'Property' || d.name === 'PrimaryKey' || d.name === 'Enum') {
          const o = objectOf(ts, file.sf, d.args[0]);
          if (boolOf(ts, file.sf, member(ts, o, 'persist')) === false) continue;
          props.set(name, { name, kind: 'scalar', fieldNames: fieldNames(ts, file, o), markers: scalarMarkers(ts, file, o), ref });
        } else if (d.name === 'ManyToOne' || d.name === 'OneToOne') {
          const rel = relationOptions(ts, file, d.args);
          const o = rel.opts;
          if (d.name === 'OneToOne' && (rel.inverse || (member(ts, o, 'mappedBy') && boolOf(ts, file.sf, member(ts, o, 'owner')) !== true))) continue;
          if (boolOf(ts, file.sf, member(ts, o, 'persist')) === false) continue;
          const target = rel.target ?? typeName(ts, m);
          props.set(name, { name, kind: 'join', fieldNames: fieldNames(ts, file, o), referenced: primaryKeyOf(ts, classes, target, naming), markers: [], ref });
        } else if (d.name === 'Embedded') {
          for (const p of embeddedProps(ts, file, m, d.args, naming, classes, ref)) props.set(`${name}.${p.name}`, p);
        }
      }
    }
  }
  const className = entry.decl.name?.text ?? 'Entity';
  const table = stringOf(ts, entry.file.sf, member(ts, opts, 'tableName') ?? member(ts, opts, 'collection'));
  const schema = stringOf(ts, entry.file.sf, member(ts, opts, 'schema'));
  return entityTable(entry.file, className, entry.decl.name ?? entry.decl, table, schema, [...props.values()], naming);
}

/**
 * `@Embedded(() => Address, { prefix, object })`: with `object: true` one JSON column named after the
 * property; otherwise the embeddable's properties inlined, each prefixed with the property's column
 * name and `_` (`address` → `address_street`), a string prefix, or nothing with `prefix: false`.
 */
function embeddedProps(ts: TypeScript, file: ScriptFile, m: TS.ClassElement, args: readonly TS.Expression[], naming: Naming, classes: Map<string, ClassEntry[]>, ref: SourceRef): Prop[] {
  const name = memberName(ts, m) ?? '';
  const first = objectOf(ts, file.sf, args[0]);
  const o = first ?? objectOf(ts, file.sf, args[1]);
  const target = (first ? targetName(ts, file, member(ts, first, 'entity')) : targetName(ts, file, args[0])) ?? typeName(ts, m);
  if (boolOf(ts, file.sf, member(ts, o, 'persist')) === false) return [];
  const own = fieldNames(ts, file, o)?.[0];
  if (boolOf(ts, file.sf, member(ts, o, 'object')) === true) return [{ name, kind: 'scalar', fieldNames: own ? [own] : undefined, markers: [], ref }];
  const prefixExpr = member(ts, o, 'prefix');
  const prefixFlag = boolOf(ts, file.sf, prefixExpr);
  const entry = target ? classes.get(target)?.[0] : undefined;
  if (!entry) return [];
  const column = (prop: string): string => (naming === 'entity-case' ? prop : underscore(prop));
  const prefix = prefixFlag === false ? '' : (stringOf(ts, file.sf, prefixExpr) ?? `${own ?? column(name)}_`);
  const out: Prop[] = [];
  for (const { file: f, decl } of classChain(ts, classes, entry)) {
    for (const inner of decl.members) {
      const innerName = memberName(ts, inner);
      const dec = decoratorsOf(ts, inner).find((d) => d.name === 'Property' || d.name === 'Enum');
      if (!dec || innerName === undefined || !inner.name) continue;
      const io = objectOf(ts, f.sf, dec.args[0]);
      if (boolOf(ts, f.sf, member(ts, io, 'persist')) === false) continue;
      const explicit = fieldNames(ts, f, io)?.[0];
      out.push({ name: innerName, kind: 'scalar', fieldNames: [prefix + (explicit ?? column(innerName))], markers: scalarMarkers(ts, f, io), ref: refOf(f, inner.name), probable: explicit !== undefined && prefix !== '' });
    }
  }
  return out;
}

/** The declared type of a property (`author!: Author`, `Ref<Author>`) for `@ManyToOne()` without a target. */
function typeName(ts: TypeScript, m: TS.ClassElement): string | undefined {
  if (!ts.isPropertyDeclaration(m) || !m.type || !ts.isTypeReferenceNode(m.type)) return undefined;
  const arg = m.type.typeArguments?.[0];
  const t = arg && ts.isTypeReferenceNode(arg) ? arg : m.type;
  return ts.isIdentifier(t.typeName) ? t.typeName.text : undefined;
}

function fieldNames(ts: TypeScript, file: ScriptFile, o: TS.ObjectLiteralExpression | undefined): string[] | undefined {
  const one = stringOf(ts, file.sf, member(ts, o, 'fieldName') ?? member(ts, o, 'joinColumn') ?? member(ts, o, 'name'));
  if (one !== undefined) return [one];
  const list = resolveLocal(ts, file.sf, member(ts, o, 'fieldNames') ?? member(ts, o, 'joinColumns'));
  if (list && ts.isArrayLiteralExpression(list)) {
    const names = list.elements.map((e) => stringOf(ts, file.sf, e));
    if (names.every((n): n is string => n !== undefined)) return names;
  }
  return undefined;
}

/** `lazy: true` keeps the column out of the default SELECT. */
function scalarMarkers(ts: TypeScript, file: ScriptFile, o: TS.ObjectLiteralExpression | undefined): ColumnMarker[] {
  return boolOf(ts, file.sf, member(ts, o, 'lazy')) === true ? ['no-select'] : [];
}

/** `new EntitySchema({ name, tableName, properties: {…} })` / `defineEntity({ …, properties: p => ({…}) })`. */
function schemaEntity(ts: TypeScript, file: ScriptFile, opts: TS.ObjectLiteralExpression, naming: Naming, classes: Map<string, ClassEntry[]>): ModelTable | undefined {
  const nameExpr = member(ts, opts, 'name');
  const className = stringOf(ts, file.sf, nameExpr) ?? targetName(ts, file, member(ts, opts, 'class'));
  if (!className || boolOf(ts, file.sf, member(ts, opts, 'abstract')) === true) return undefined;
  let propsExpr = resolveLocal(ts, file.sf, member(ts, opts, 'properties'));
  // defineEntity's `properties: (p) => ({ … })`
  if (propsExpr && ts.isArrowFunction(propsExpr) && !ts.isBlock(propsExpr.body)) propsExpr = unwrap(ts, propsExpr.body);
  const props: Prop[] = [];
  if (propsExpr && ts.isObjectLiteralExpression(propsExpr)) {
    for (const p of propsExpr.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const name = propName(ts, p.name);
      if (name === undefined) continue;
      const prop = schemaProp(ts, file, name, p.initializer, refOf(file, p.name), naming, classes);
      if (prop) props.push(prop);
    }
  }
  const table = stringOf(ts, file.sf, member(ts, opts, 'tableName') ?? member(ts, opts, 'collection'));
  const schema = stringOf(ts, file.sf, member(ts, opts, 'schema'));
  return entityTable(file, className, nameExpr ?? opts, table, schema, props, naming);
}

const COLLECTIONS = new Set(['1:m', 'm:n', 'oneToMany', 'manyToMany', 'embedded']);

function schemaProp(ts: TypeScript, file: ScriptFile, name: string, value: TS.Expression, ref: SourceRef, naming: Naming, classes: Map<string, ClassEntry[]>): Prop | undefined {
  let v = unwrap(ts, value);
  if (ts.isArrowFunction(v) && !ts.isBlock(v.body)) v = unwrap(ts, v.body);
  const o = objectOf(ts, file.sf, v);
  if (o) {
    // EntitySchema property options: `kind` (v6) or `reference` (v5).
    const kind = stringOf(ts, file.sf, member(ts, o, 'kind') ?? member(ts, o, 'reference')) ?? 'scalar';
    if (COLLECTIONS.has(kind) || boolOf(ts, file.sf, member(ts, o, 'persist')) === false || member(ts, o, 'formula')) return undefined;
    const join = kind === 'm:1' || kind === '1:1';
    if (kind === '1:1' && member(ts, o, 'mappedBy') && boolOf(ts, file.sf, member(ts, o, 'owner')) !== true) return undefined;
    const target = targetName(ts, file, member(ts, o, 'entity'));
    return { name, kind: join ? 'join' : 'scalar', fieldNames: fieldNames(ts, file, o), referenced: join ? primaryKeyOf(ts, classes, target, naming) : undefined, markers: scalarMarkers(ts, file, o), ref };
  }
  // defineEntity builder chain: p.string().fieldName('x').lazy(), p.manyToOne(Author).joinColumn('a').
  const calls = new Map<string, readonly TS.Expression[]>();
  let e: TS.Expression = v;
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    calls.set(e.expression.name.text, e.arguments);
    e = unwrap(ts, e.expression.expression);
  }
  if (calls.size === 0) return undefined;
  if ([...calls.keys()].some((k) => COLLECTIONS.has(k) || k === 'formula')) return undefined;
  const persist = calls.get('persist');
  if (persist && boolOf(ts, file.sf, persist[0]) === false) return undefined;
  if (calls.has('oneToOne') && calls.has('mappedBy') && !calls.has('owner')) return undefined;
  const join = calls.has('manyToOne') || calls.has('oneToOne');
  const explicit = stringOf(ts, file.sf, (calls.get('fieldName') ?? calls.get('joinColumn'))?.[0]);
  const target = targetName(ts, file, (calls.get('manyToOne') ?? calls.get('oneToOne'))?.[0]);
  return {
    name,
    kind: join ? 'join' : 'scalar',
    fieldNames: explicit === undefined ? undefined : [explicit],
    referenced: join ? primaryKeyOf(ts, classes, target, naming) : undefined,
    markers: calls.has('lazy') ? ['no-select'] : [],
    ref,
  };
}

/** Names the table and columns by the naming strategy; explicit names are exact whatever the strategy. */
function entityTable(file: ScriptFile, className: string, at: TS.Node, tableName: string | undefined, schema: string | undefined, props: Prop[], naming: Naming): ModelTable {
  const columns: ModelColumn[] = [];
  const seen = new Set<string>();
  const add = (column: string, p: Prop, certainty: 'exact' | 'probable'): void => {
    if (seen.has(column)) return;
    seen.add(column);
    columns.push({ column, field: p.name, ref: p.ref, certainty, markers: p.markers });
  };
  for (const p of props) {
    if (p.fieldNames) {
      for (const f of p.fieldNames) add(f, p, p.probable ? 'probable' : 'exact');
      continue;
    }
    // A join column is joinKeyColumnName(property, referenced primary key): author → author_id.
    const suffix = p.kind === 'join' ? `_${p.referenced ?? 'id'}` : '';
    if (naming === 'underscore') add(underscore(p.name) + suffix, p, p.kind === 'join' && !p.referenced ? 'probable' : 'exact');
    else if (naming === 'entity-case') add(p.name + suffix, p, p.kind === 'join' ? 'probable' : 'exact');
    else for (const s of new Set([...spellings(p.name + suffix), underscore(p.name) + suffix])) add(s, p, 'probable');
  }
  const table = tableName ?? (naming === 'entity-case' ? className : underscore(className));
  return {
    orm: 'mikro-orm',
    model: className,
    schema,
    table,
    ref: refOf(file, at),
    certainty: tableName !== undefined || naming !== 'unknown' ? 'exact' : 'probable',
    columns,
  };
}
