/**
 * TypeORM entity reader: `@Entity` classes (with columns inherited from base classes, embedded
 * classes, `@JoinColumn` names and the implicit join column of `@ManyToOne`) and `new EntitySchema({…})`.
 * Names follow the configured naming strategy: TypeORM's DefaultNamingStrategy (table = snake_case of
 * the class name, column = property name), typeorm-naming-strategies' SnakeNamingStrategy (both
 * snake_case), or — for any other custom strategy — "probably" one of the exact/snake/camel spellings.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../../source/ts/typescript.ts';
import { camelCase, snakeCase } from './naming.ts';
import { decorators, isAppScript, isFalse, literal, parseFile, prop, propName, refOf, type DecoratorCall, type ParsedFile } from './ts-ast.ts';
import type { Certainty, ColumnMarker, ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles } from './types.ts';

const COLUMN_DECORATORS = new Set(['Column', 'PrimaryColumn', 'PrimaryGeneratedColumn', 'CreateDateColumn', 'UpdateDateColumn', 'DeleteDateColumn', 'VersionColumn', 'ObjectIdColumn', 'TreeLevelColumn']);
const OWNING_RELATIONS = new Set(['ManyToOne', 'OneToOne']);

type Strategy = 'default' | 'snake' | 'unknown';

interface ClassInfo {
  file: ParsedFile;
  node: TS.ClassDeclaration;
  base?: string;
}

function strategyOf(texts: readonly string[]): Strategy {
  // A strategy written in the project (even one called SnakeNamingStrategy) may pluralise or
  // prefix: only the package's own class is known.
  if (texts.some((t) => /\bextends\s+DefaultNamingStrategy\b|\bimplements\s+NamingStrategyInterface\b/.test(t))) return 'unknown';
  if (texts.some((t) => /from\s+['"]typeorm-naming-strategies['"]|require\(\s*['"]typeorm-naming-strategies['"]\s*\)/.test(t))) return 'snake';
  if (texts.some((t) => /\bnamingStrategy\s*:/.test(t))) return 'unknown';
  return 'default';
}

/** DefaultNamingStrategy.columnName / SnakeNamingStrategy.columnName. */
function columnName(strategy: Strategy, property: string, custom: string | undefined, prefixes: readonly string[]): string {
  // typeorm-naming-strategies: snakeCase(prefixes + '_') + (customName ?? snakeCase(propertyName)).
  if (strategy === 'snake') return (prefixes.length ? snakeCase([...prefixes, ''].join('_')) : '') + (custom ?? snakeCase(property));
  if (!prefixes.length) return custom ?? property;
  // TypeORM's StringUtils.titleCase: first letter upper, the rest of the word lower.
  const title = (s: string): string => s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
  return camelCase(prefixes.join('_')) + title(custom ?? property);
}

function optionsArg(ts: TypeScript, args: readonly TS.Expression[]): TS.Expression | undefined {
  return args.find((a) => ts.isObjectLiteralExpression(a));
}

function markersOf(ts: TypeScript, options: TS.Expression | undefined): ColumnMarker[] {
  const m: ColumnMarker[] = [];
  if (isFalse(ts, prop(ts, options, 'select'))) m.push('no-select');
  if (isFalse(ts, prop(ts, options, 'insert'))) m.push('no-insert');
  if (isFalse(ts, prop(ts, options, 'update'))) m.push('no-update');
  return m;
}

export const typeormReader: ModelReader = {
  orm: 'typeorm',
  read(files: RevisionFiles): ModelReadResult {
    const result: ModelReadResult = { tables: [], problems: [] };
    const texts: string[] = [];
    const parsed: ParsedFile[] = [];
    for (const path of files.paths()) {
      if (!isAppScript(path)) continue;
      const text = files.read(path);
      if (text === undefined || !/typeorm/.test(text)) continue;
      texts.push(text);
      if (!/@(Entity|Column|PrimaryColumn|PrimaryGeneratedColumn|CreateDateColumn|UpdateDateColumn|DeleteDateColumn|VersionColumn|JoinColumn|ManyToOne)\b|EntitySchema/.test(text)) continue;
      try {
        parsed.push(parseFile(files, path, text));
      } catch (e) {
        result.problems.push({ ref: { path, line: 1, column: 1 }, message: `not parsed: ${(e as Error).message}` });
      }
    }
    // Config files (data-source.ts, ormconfig) name the strategy; they need not contain entities.
    const strategy = strategyOf(texts);
    const certainty: Certainty = strategy === 'unknown' ? 'probable' : 'exact';
    const classes = new Map<string, ClassInfo>();
    for (const file of parsed) {
      const ts = file.ts;
      for (const st of file.sf.statements) {
        if (!ts.isClassDeclaration(st) || !st.name) continue;
        const ext = st.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        const base = ext && ts.isIdentifier(ext) ? ext.text : ext && ts.isCallExpression(ext) && ext.arguments[0] && ts.isIdentifier(ext.arguments[0]) ? ext.arguments[0].text : undefined;
        if (!classes.has(st.name.text)) classes.set(st.name.text, { file, node: st, base });
      }
    }

    const columnsOf = (info: ClassInfo, prefixes: readonly string[], seen: Set<string>): ModelColumn[] => {
      const { file } = info;
      const ts = file.ts;
      const out: ModelColumn[] = [];
      const name = info.node.name?.text ?? '';
      if (seen.has(name)) return out;
      seen.add(name);
      if (info.base) {
        const base = classes.get(info.base);
        if (base) out.push(...columnsOf(base, prefixes, seen));
      }
      for (const member of info.node.members) {
        if (!ts.isPropertyDeclaration(member)) continue;
        const field = propName(ts, member.name);
        if (!field) continue;
        const decs = decorators(ts, member);
        const col = decs.find((d) => COLUMN_DECORATORS.has(d.name));
        if (col) {
          const embedded = col.args[0] && (ts.isArrowFunction(col.args[0]) || ts.isFunctionExpression(col.args[0])) ? col.args[0] : undefined;
          const options = optionsArg(ts, col.args);
          if (embedded) {
            const body = ts.isArrowFunction(embedded) && !ts.isBlock(embedded.body) ? embedded.body : undefined;
            const target = body && ts.isIdentifier(body) ? classes.get(body.text) : undefined;
            if (!target) continue;
            const p = prop(ts, options, 'prefix');
            const prefix = isFalse(ts, p) ? [] : [literal(ts, p) ?? field];
            out.push(...columnsOf(target, [...prefixes, ...prefix.filter(Boolean)], new Set(seen)));
            continue;
          }
          const custom = literal(ts, prop(ts, options, 'name'));
          out.push({ column: columnName(strategy, field, custom, prefixes), field: [...prefixes, field].join('.'), ref: refOf(file, member.name), certainty: custom && !prefixes.length ? 'exact' : certainty, markers: markersOf(ts, options) });
          continue;
        }
        const relation = decs.find((d) => OWNING_RELATIONS.has(d.name));
        const join = decs.find((d) => d.name === 'JoinColumn');
        if (relation && (join || relation.name === 'ManyToOne')) out.push(...joinColumns(ts, file, member, field, join, strategy, certainty));
      }
      return out;
    };

    for (const info of classes.values()) {
      const ts = info.file.ts;
      const entity = decorators(ts, info.node).find((d) => d.name === 'Entity');
      if (!entity || !info.node.name) continue;
      const options = optionsArg(ts, entity.args);
      const explicit = literal(ts, entity.args[0]) ?? literal(ts, prop(ts, options, 'name'));
      const table: ModelTable = {
        orm: 'typeorm',
        model: info.node.name.text,
        table: explicit ?? snakeCase(info.node.name.text),
        ref: refOf(info.file, info.node.name),
        certainty: explicit || strategy !== 'unknown' ? 'exact' : 'probable',
        columns: columnsOf(info, [], new Set()),
      };
      const schema = literal(ts, prop(ts, options, 'schema'));
      if (schema) table.schema = schema;
      result.tables.push(table);
    }
    for (const file of parsed) readEntitySchemas(file, strategy, certainty, result);
    return result;
  },
};

/** `@JoinColumn({ name })`, `@JoinColumn([{ name }, …])`, or the implicit `<relation>Id` (DefaultNamingStrategy.joinColumnName). */
function joinColumns(ts: TypeScript, file: ParsedFile, member: TS.PropertyDeclaration, field: string, join: DecoratorCall | undefined, strategy: Strategy, certainty: Certainty): ModelColumn[] {
  const arg = join?.args[0];
  const specs = arg && ts.isArrayLiteralExpression(arg) ? arg.elements : arg ? [arg] : [];
  const out: ModelColumn[] = [];
  for (const spec of specs) {
    const name = literal(ts, prop(ts, spec, 'name'));
    const referenced = literal(ts, prop(ts, spec, 'referencedColumnName')) ?? 'id';
    out.push({ column: name ?? implicitJoin(strategy, field, referenced), field, ref: refOf(file, member.name), certainty: name ? 'exact' : 'probable', markers: [] });
  }
  if (!specs.length) out.push({ column: implicitJoin(strategy, field, 'id'), field, ref: refOf(file, member.name), certainty: strategy === 'unknown' ? certainty : 'probable', markers: [] });
  return out;
}

function implicitJoin(strategy: Strategy, relation: string, referenced: string): string {
  return strategy === 'snake' ? snakeCase(`${relation}_${referenced}`) : camelCase(`${relation}_${referenced}`);
}

/** `new EntitySchema({ name, tableName, schema, columns: { prop: { name?, select? } }, relations })`. */
function readEntitySchemas(file: ParsedFile, strategy: Strategy, certainty: Certainty, result: ModelReadResult): void {
  const ts = file.ts;
  const visit = (n: TS.Node): void => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'EntitySchema') {
      const options = n.arguments?.[0];
      const name = literal(ts, prop(ts, options, 'name'));
      if (options && name) {
        const explicit = literal(ts, prop(ts, options, 'tableName'));
        const columns: ModelColumn[] = [];
        const cols = prop(ts, options, 'columns');
        if (cols && ts.isObjectLiteralExpression(cols)) {
          for (const p of cols.properties) {
            if (!ts.isPropertyAssignment(p)) continue;
            const field = propName(ts, p.name);
            if (!field) continue;
            const custom = literal(ts, prop(ts, p.initializer, 'name'));
            columns.push({ column: columnName(strategy, field, custom, []), field, ref: refOf(file, p.name), certainty: custom ? 'exact' : certainty, markers: markersOf(ts, p.initializer) });
          }
        }
        const rels = prop(ts, options, 'relations');
        if (rels && ts.isObjectLiteralExpression(rels)) {
          for (const p of rels.properties) {
            if (!ts.isPropertyAssignment(p)) continue;
            const field = propName(ts, p.name);
            const type = literal(ts, prop(ts, p.initializer, 'type'));
            if (!field || (type !== 'many-to-one' && !(type === 'one-to-one' && prop(ts, p.initializer, 'joinColumn')))) continue;
            const jc = prop(ts, p.initializer, 'joinColumn');
            const custom = jc && ts.isObjectLiteralExpression(jc) ? literal(ts, prop(ts, jc, 'name')) : undefined;
            columns.push({ column: custom ?? implicitJoin(strategy, field, 'id'), field, ref: refOf(file, p.name), certainty: custom ? 'exact' : 'probable', markers: [] });
          }
        }
        const table: ModelTable = { orm: 'typeorm', model: name, table: explicit ?? snakeCase(name), ref: refOf(file, n), certainty: explicit || strategy !== 'unknown' ? 'exact' : 'probable', columns };
        const schema = literal(ts, prop(ts, options, 'schema'));
        if (schema) table.schema = schema;
        result.tables.push(table);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(file.sf);
}
