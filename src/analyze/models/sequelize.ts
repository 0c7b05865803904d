/**
 * Sequelize v6 models, read statically: `Model.init(attributes, options)`, `sequelize.define(name,
 * attributes, options)` and sequelize-typescript classes (`@Table`, `@Column`, `@CreatedAt`, …).
 * Names follow Sequelize's own rules (docs/orm.md cites them): the table is
 * `tableName`, else the model name when `freezeTableName`, else the model name pluralised by the
 * `inflection` package (the one Sequelize uses) and underscored when `underscored`; a column is
 * `field`, else the attribute name, underscored when `underscored`; `timestamps` (default on) adds
 * createdAt/updatedAt and `paranoid` deletedAt unless renamed or set to false; with no primary key
 * Sequelize adds `id`. `define:` defaults of a `new Sequelize(…)` in the project apply to all models.
 */
import inflection from 'inflection';
import type * as TS from 'typescript';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import {
  boolOf,
  classChain,
  classIndex,
  decoratorsOf,
  hasUnknownSpread,
  member,
  memberIn,
  memberName,
  objectOf,
  parseMatching,
  propName,
  refOf,
  resolveLocal,
  stringOf,
  unwrap,
  type ClassEntry,
  type ScriptFile,
} from './script-files.ts';
import type { Certainty, ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles, SourceRef } from './types.ts';

/** Model options that decide names (InitOptions / ModelOptions / @Table options). */
interface NamingOptions {
  tableName?: string;
  schema?: string;
  modelName?: string;
  freezeTableName?: boolean;
  underscored?: boolean;
  timestamps?: boolean;
  paranoid?: boolean;
  /** undefined = default name, false = disabled, string = renamed attribute. */
  createdAt?: string | false;
  updatedAt?: string | false;
  deletedAt?: string | false;
  /** Options come partly from a spread not known statically: underscored / timestamps may differ. */
  unknownNaming?: boolean;
}

interface Attribute {
  name: string;
  field?: string;
  primaryKey: boolean;
  ref: SourceRef;
  certainty: Certainty;
}

/** Models by the identifiers code uses for them (class name, `const X = sequelize.define(…)`), for associations. */
type Registry = Map<string, { table: ModelTable; options: NamingOptions; name: string }>;

const TS_DECORATORS = new Set(['Column', 'PrimaryKey', 'CreatedAt', 'UpdatedAt', 'DeletedAt', 'ForeignKey', 'AutoIncrement', 'Default', 'AllowNull', 'Unique']);

export const sequelizeReader: ModelReader = {
  orm: 'sequelize',
  read(files: RevisionFiles): ModelReadResult {
    const ts = typescript();
    const parsed = parseMatching(files, ['sequelize']);
    const result: ModelReadResult = { tables: [], problems: [] };
    const defaults = globalDefine(ts, parsed);
    const classes = classIndex(ts, parsed);
    const registry: Registry = new Map();
    for (const file of parsed) {
      try {
        readFile(ts, file, defaults, classes, result, registry);
      } catch (e) {
        result.problems.push({ ref: { path: file.path, line: 1, column: 1 }, message: `Sequelize models not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    for (const file of parsed) {
      try {
        readAssociations(ts, file, registry);
      } catch (e) {
        result.problems.push({ ref: { path: file.path, line: 1, column: 1 }, message: `Sequelize associations not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return result;
  },
};

function readFile(ts: TypeScript, file: ScriptFile, defaults: NamingOptions, classes: Map<string, ClassEntry[]>, out: ModelReadResult, registry: Registry): void {
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) readCall(ts, file, node, defaults, out, registry);
    else if (ts.isClassDeclaration(node) && node.name && decoratorsOf(ts, node).some((d) => d.name === 'Table')) {
      out.tables.push(decoratedModel(ts, { file, decl: node }, defaults, classes));
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sf);
}

/** `X.init({…}, { sequelize, … })` and `sequelize.define('name', {…}, {…})`. */
function readCall(ts: TypeScript, file: ScriptFile, call: TS.CallExpression, defaults: NamingOptions, out: ModelReadResult, registry: Registry): void {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return;
  const method = callee.name.text;
  if (method === 'init' && call.arguments.length >= 2) {
    const attrs = objectOf(ts, file.sf, call.arguments[0]);
    const opts = objectOf(ts, file.sf, call.arguments[1]);
    // Model.init requires the `sequelize` instance in its options: that tells it from other init()s
    // (it may come in a spread of shared options imported from elsewhere).
    if (!attrs || !opts) return;
    const unknown = hasUnknownSpread(ts, file.sf, opts);
    if (!memberIn(ts, file.sf, opts, 'sequelize') && !unknown) return;
    const className = modelIdentifier(ts, callee.expression);
    const options = { ...defaults, ...namingOptions(ts, file, opts), unknownNaming: unknown };
    const name = options.modelName ?? className;
    if (!name) return;
    const table = model(file, name, callee.expression, attributesOf(ts, file, attrs), options);
    out.tables.push(table);
    if (className) registry.set(className, { table, options, name });
  } else if (method === 'define' && call.arguments.length >= 2) {
    const name = stringOf(ts, file.sf, call.arguments[0]);
    const attrs = objectOf(ts, file.sf, call.arguments[1]);
    if (name === undefined || !attrs) return;
    const opts = objectOf(ts, file.sf, call.arguments[2]);
    const options = { ...defaults, ...(opts ? namingOptions(ts, file, opts) : {}), unknownNaming: !!opts && hasUnknownSpread(ts, file.sf, opts) };
    const table = model(file, name, call.arguments[0], attributesOf(ts, file, attrs), options);
    out.tables.push(table);
    const holder = call.parent;
    if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) registry.set(holder.name.text, { table, options, name });
  }
}

/**
 * The name code uses for a model: `User`, `models.User` (sequelize-cli's associate(models)), and
 * `this` / `super` inside the model's own static methods (`static init(sequelize) { return super.init(…) }`).
 */
function modelIdentifier(ts: TypeScript, expr: TS.Expression): string | undefined {
  const e = unwrap(ts, expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword || e.kind === ts.SyntaxKind.SuperKeyword) {
    for (let n: TS.Node | undefined = e.parent; n; n = n.parent) {
      if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.name) return n.name.text;
    }
  }
  return undefined;
}

/** Sequelize's camelize: `[-_\s]+x` → `X` (`captain_id` → `captainId`). */
function camelize(s: string): string {
  return s.trim().replace(/[-_\s]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''));
}

/**
 * `A.belongsTo(B)` adds the foreign key to A, `A.hasOne(B)` / `A.hasMany(B)` to B. An explicit
 * `foreignKey` is exact; the default (the singular `as` or model name + `Id`, assuming the target's
 * primary key is `id`) is probable.
 */
function readAssociations(ts: TypeScript, file: ScriptFile, registry: Registry): void {
  const visit = (node: TS.Node): void => {
    ts.forEachChild(node, visit);
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const method = node.expression.name.text;
    if (method !== 'belongsTo' && method !== 'hasOne' && method !== 'hasMany') return;
    const srcName = modelIdentifier(ts, node.expression.expression);
    const dstName = node.arguments[0] && modelIdentifier(ts, node.arguments[0]);
    const source = srcName ? registry.get(srcName) : undefined;
    const target = dstName ? registry.get(dstName) : undefined;
    if (!source || !target) return;
    const opts = objectOf(ts, file.sf, node.arguments[1]);
    const holder = method === 'belongsTo' ? source : target;
    const named = method === 'belongsTo' ? target : source;
    const fk = memberIn(ts, file.sf, opts, 'foreignKey');
    const fkObj = objectOf(ts, file.sf, fk);
    let attr = stringOf(ts, file.sf, fkObj ? memberIn(ts, file.sf, fkObj, 'name') : fk);
    const field = fkObj ? stringOf(ts, file.sf, memberIn(ts, file.sf, fkObj, 'field')) : undefined;
    let certainty: Certainty = 'exact';
    if (attr === undefined) {
      const as = method === 'belongsTo' ? stringOf(ts, file.sf, memberIn(ts, file.sf, opts, 'as')) : undefined;
      attr = camelize(`${inflection.singularize(as ?? named.name)}_id`);
      certainty = 'probable';
    }
    if (holder.table.columns.some((c) => c.field === attr)) return;
    const column = field ?? (holder.options.underscored ? inflection.underscore(attr) : attr);
    holder.table.columns.push({ column, field: attr, ref: refOf(file, node), certainty, markers: [] });
  };
  visit(file.sf);
}

/** The `define:` defaults of the first `new Sequelize(…)` that has them. */
function globalDefine(ts: TypeScript, files: readonly ScriptFile[]): NamingOptions {
  for (const file of files) {
    let found: NamingOptions | undefined;
    const visit = (node: TS.Node): void => {
      if (found) return;
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Sequelize') {
        for (const arg of node.arguments ?? []) {
          const define = objectOf(ts, file.sf, member(ts, objectOf(ts, file.sf, arg), 'define'));
          if (define) found = namingOptions(ts, file, define);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.sf);
    if (found) return found;
  }
  return {};
}

function namingOptions(ts: TypeScript, file: ScriptFile, obj: TS.ObjectLiteralExpression): NamingOptions {
  const o: NamingOptions = {};
  const str = (k: string): string | undefined => stringOf(ts, file.sf, memberIn(ts, file.sf, obj, k));
  const bool = (k: string): boolean | undefined => boolOf(ts, file.sf, memberIn(ts, file.sf, obj, k));
  const renamable = (k: string): string | false | undefined => {
    const v = memberIn(ts, file.sf, obj, k);
    return boolOf(ts, file.sf, v) === false ? false : stringOf(ts, file.sf, v);
  };
  const set = <K extends keyof NamingOptions>(k: K, v: NamingOptions[K] | undefined): void => {
    if (v !== undefined) o[k] = v;
  };
  set('tableName', str('tableName'));
  set('schema', str('schema'));
  set('modelName', str('modelName'));
  set('freezeTableName', bool('freezeTableName'));
  set('underscored', bool('underscored'));
  set('timestamps', bool('timestamps'));
  set('paranoid', bool('paranoid'));
  set('createdAt', renamable('createdAt'));
  set('updatedAt', renamable('updatedAt'));
  set('deletedAt', renamable('deletedAt'));
  return o;
}

/** A type expression that is `DataTypes.VIRTUAL` / `DataType.VIRTUAL(…)`: no column behind it. */
function isVirtual(ts: TypeScript, file: ScriptFile, expr: TS.Expression | undefined): boolean {
  const e = resolveLocal(ts, file.sf, expr);
  if (!e) return false;
  const callee = ts.isCallExpression(e) ? e.expression : e;
  return (ts.isPropertyAccessExpression(callee) && callee.name.text === 'VIRTUAL') || (ts.isIdentifier(callee) && callee.text === 'VIRTUAL');
}

/** Attributes of an attributes object (spreads of local consts inlined). */
function attributesOf(ts: TypeScript, file: ScriptFile, obj: TS.ObjectLiteralExpression, depth = 0): Attribute[] {
  const out: Attribute[] = [];
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) {
      const inner = objectOf(ts, file.sf, p.expression);
      if (inner && depth < 5) out.push(...attributesOf(ts, file, inner, depth + 1));
      continue;
    }
    if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
    const name = propName(ts, p.name);
    if (name === undefined) continue;
    const value = ts.isPropertyAssignment(p) ? p.initializer : p.name;
    const def = objectOf(ts, file.sf, value);
    if (def) {
      if (isVirtual(ts, file, member(ts, def, 'type'))) continue;
      const field = stringOf(ts, file.sf, member(ts, def, 'field'));
      out.push({ name, field, primaryKey: boolOf(ts, file.sf, member(ts, def, 'primaryKey')) === true, ref: refOf(file, p), certainty: 'exact' });
    } else {
      if (isVirtual(ts, file, value)) continue;
      out.push({ name, primaryKey: false, ref: refOf(file, p), certainty: 'exact' });
    }
  }
  return out;
}

/** A sequelize-typescript class: its own and inherited decorated members, @Table options. */
function decoratedModel(ts: TypeScript, entry: ClassEntry, defaults: NamingOptions, classes: Map<string, ClassEntry[]>): ModelTable {
  const chain = classChain(ts, classes, entry);
  const attrs = new Map<string, Attribute>();
  const stamps: NamingOptions = {};
  const stampRefs = new Map<string, SourceRef>();
  const foreignKeys = new Map<string, SourceRef>();
  let tableOpts: NamingOptions = {};
  // Farthest base first, so a subclass's redeclaration wins as in sequelize-typescript.
  for (const { file, decl } of [...chain].reverse()) {
    const table = decoratorsOf(ts, decl).find((d) => d.name === 'Table');
    const tableArg = objectOf(ts, file.sf, table?.args[0]);
    if (tableArg && decl === entry.decl) tableOpts = namingOptions(ts, file, tableArg);
    for (const m of decl.members) {
      if (!ts.isPropertyDeclaration(m) && !ts.isGetAccessorDeclaration(m) && !ts.isSetAccessorDeclaration(m)) continue;
      const name = memberName(ts, m);
      if (name === undefined) continue;
      const decs = decoratorsOf(ts, m);
      // @BelongsTo(() => User, 'ownerId' | { foreignKey }) adds the key when no @Column declares it.
      const belongsTo = decs.find((d) => d.name === 'BelongsTo');
      if (belongsTo) {
        const arg = belongsTo.args[1];
        const fk = stringOf(ts, file.sf, arg) ?? stringOf(ts, file.sf, memberIn(ts, file.sf, objectOf(ts, file.sf, arg), 'foreignKey'));
        if (fk !== undefined && !attrs.has(fk)) foreignKeys.set(fk, refOf(file, m.name));
      }
      if (!decs.some((d) => TS_DECORATORS.has(d.name))) continue;
      for (const d of decs) {
        // @CreatedAt etc. make the member the timestamp attribute and switch timestamps on.
        if (d.name === 'CreatedAt') stamps.createdAt = name;
        if (d.name === 'UpdatedAt') stamps.updatedAt = name;
        if (d.name === 'DeletedAt') {
          stamps.deletedAt = name;
          stamps.paranoid = true;
        }
        if (d.name === 'CreatedAt' || d.name === 'UpdatedAt' || d.name === 'DeletedAt') stamps.timestamps = true;
      }
      const column = decs.find((d) => d.name === 'Column');
      const colArg = column?.args[0];
      const colOpts = objectOf(ts, file.sf, colArg);
      if (isVirtual(ts, file, colOpts ? member(ts, colOpts, 'type') : colArg)) continue;
      // @CreatedAt alone only names the timestamp option (sequelize-typescript adds no attribute):
      // the column exists while timestamps are on and the option is not false, as for plain Sequelize.
      if (!column && decs.some((d) => d.name === 'CreatedAt' || d.name === 'UpdatedAt' || d.name === 'DeletedAt')) {
        stampRefs.set(name, refOf(file, m.name));
        continue;
      }
      if (!column && !decs.some((d) => d.name === 'PrimaryKey' || d.name === 'ForeignKey')) continue;
      attrs.set(name, {
        name,
        field: stringOf(ts, file.sf, member(ts, colOpts, 'field')),
        primaryKey: decs.some((d) => d.name === 'PrimaryKey') || boolOf(ts, file.sf, member(ts, colOpts, 'primaryKey')) === true,
        ref: refOf(file, m.name),
        certainty: 'exact',
      });
    }
  }
  for (const [fk, ref] of foreignKeys) if (!attrs.has(fk)) attrs.set(fk, { name: fk, primaryKey: false, ref, certainty: 'exact' });
  const options = { ...defaults, ...stamps, ...tableOpts };
  const name = options.modelName ?? entry.decl.name?.text ?? 'Model';
  return model(entry.file, name, entry.decl.name ?? entry.decl, [...attrs.values()], options, stampRefs);
}

/** Applies Sequelize's naming rules to a model's attributes and options. */
function model(file: ScriptFile, name: string, at: TS.Node, attributes: Attribute[], o: NamingOptions, stampRefs = new Map<string, SourceRef>()): ModelTable {
  const underscored = o.underscored === true;
  const fieldOf = (attr: string): string => (underscored ? inflection.underscore(attr) : attr);
  const table = o.tableName ?? (o.freezeTableName ? name : underscored ? inflection.underscore(inflection.pluralize(name)) : inflection.pluralize(name));
  const ref = refOf(file, at);
  const columns: ModelColumn[] = [];
  // Unknown options (an imported spread): the attribute and its underscored spelling, both probable.
  const push = (attr: string, field: string | undefined, at: SourceRef, certainty: Certainty): void => {
    const names = field !== undefined ? [field] : o.unknownNaming ? [...new Set([fieldOf(attr), attr, inflection.underscore(attr)])] : [fieldOf(attr)];
    for (const column of names) columns.push({ column, field: attr, ref: at, certainty: field === undefined && o.unknownNaming ? 'probable' : certainty, markers: [] });
  };
  for (const a of attributes) push(a.name, a.field, a.ref, a.certainty);
  const has = (attr: string): boolean => attributes.some((a) => a.name === attr);
  const implicit = (attr: string): void => {
    if (!has(attr)) push(attr, undefined, stampRefs.get(attr) ?? ref, 'exact');
  };
  // Sequelize adds `id` when no attribute is a primary key.
  if (!attributes.some((a) => a.primaryKey) && !has('id')) columns.unshift({ column: 'id', field: 'id', ref, certainty: 'exact', markers: [] });
  if (o.timestamps !== false) {
    if (o.createdAt !== false) implicit(o.createdAt ?? 'createdAt');
    if (o.updatedAt !== false) implicit(o.updatedAt ?? 'updatedAt');
    if (o.paranoid === true && o.deletedAt !== false) implicit(o.deletedAt ?? 'deletedAt');
  }
  const certainty: Certainty = o.unknownNaming && o.tableName === undefined ? 'probable' : 'exact';
  return { orm: 'sequelize', model: name, schema: o.schema, table, ref, certainty, columns };
}

