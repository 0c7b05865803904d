/**
 * Prisma schema reader. Parses every `.prisma` file of the revision (one schema.prisma or a
 * multi-file `prismaSchemaFolder`; models may reference each other across files) with
 * @mrleebo/prisma-ast: a maintained, dependency-light parser of the Prisma schema language that
 * keeps source locations (the official @prisma/prisma-schema-wasm returns DMMF without lines).
 * Names follow Prisma's rules: the table is `@@map("…")` or the model name verbatim, a column is
 * `@map("…")` or the field name verbatim; relation fields (whose type is another model) are no columns.
 */
import type * as PrismaAst from '@mrleebo/prisma-ast';
import type { Attribute, AttributeArgument, BlockAttribute, Field, Model } from '@mrleebo/prisma-ast';
import { dynamicImport } from '../../util/dynamic-import.ts';
import type { ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles } from './types.ts';

type PrismaAstModule = typeof PrismaAst;

let prismaAst: PrismaAstModule | undefined;
let loadingPrismaAst: Promise<PrismaAstModule> | undefined;

/**
 * The Prisma schema parser (@mrleebo/prisma-ast with chevrotain, ~0.5 MB), loaded only when a
 * revision has a .prisma file, as TypeScript is: the CLI bundle keeps it external, so a run without
 * Prisma never compiles it. Call (and await) before prismaReader.read.
 */
export function loadPrismaAst(): Promise<PrismaAstModule> {
  // require() where there is one (the CLI bundle, the library build), as for TypeScript.
  if (!prismaAst && typeof require === 'function') prismaAst = requireModule(require, '@mrleebo/prisma-ast');
  if (prismaAst) return Promise.resolve(prismaAst);
  loadingPrismaAst ??= dynamicImport<PrismaAstModule & { default?: PrismaAstModule }>('@mrleebo/prisma-ast').then((m) => (prismaAst = typeof m.getSchema === 'function' ? m : (m.default ?? m)));
  return loadingPrismaAst;
}

function requireModule(req: NodeJS.Require, id: string): PrismaAstModule {
  return req(id) as PrismaAstModule;
}

let parsing: { parser: PrismaAst.PrismaParser; visitor: InstanceType<ReturnType<PrismaAstModule['VisitorClassFactory']>> } | undefined;

function parse(text: string): ReturnType<PrismaAstModule['getSchema']> {
  if (!prismaAst) throw new Error('the Prisma schema parser is not loaded (await loadPrismaAst() first)');
  const { getSchema, PrismaParser, VisitorClassFactory } = prismaAst;
  if (!parsing) {
    const parser = new PrismaParser({ nodeLocationTracking: 'full' });
    const Visitor = VisitorClassFactory(parser);
    parsing = { parser, visitor: new Visitor(parser) };
  }
  return getSchema(text, parsing);
}

export function isPrismaSchema(path: string): boolean {
  return path.endsWith('.prisma') && !/(^|\/)node_modules\//.test(path);
}

/** The string of `@map("x")`, `@map(name: "x")`, `@@schema("x")`. */
function stringArg(args: AttributeArgument[] | undefined): string | undefined {
  for (const a of args ?? []) {
    const v = a.value;
    const raw = typeof v === 'string' ? v : typeof v === 'object' && v && 'type' in v && v.type === 'keyValue' && v.key === 'name' ? v.value : undefined;
    if (typeof raw === 'string' && /^".*"$/s.test(raw)) return JSON.parse(raw) as string;
  }
  return undefined;
}

function attr(list: readonly (Attribute | BlockAttribute)[] | undefined, name: string): Attribute | BlockAttribute | undefined {
  return list?.find((a) => a.name === name && !a.group);
}

export const prismaReader: ModelReader = {
  orm: 'prisma',
  read(files: RevisionFiles): ModelReadResult {
    const result: ModelReadResult = { tables: [], problems: [] };
    const parsed: { path: string; models: Model[] }[] = [];
    const modelNames = new Set<string>();
    for (const path of files.paths()) {
      if (!isPrismaSchema(path)) continue;
      const text = files.read(path);
      if (text === undefined) continue;
      try {
        const models = parse(text).list.filter((b): b is Model => b.type === 'model');
        for (const m of models) modelNames.add(m.name);
        parsed.push({ path, models });
      } catch (e) {
        const token = (e as { token?: { startLine?: number; startColumn?: number } }).token;
        result.problems.push({ ref: { path, line: token?.startLine ?? 1, column: token?.startColumn ?? 1 }, message: `Prisma schema not parsed: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    for (const { path, models } of parsed) {
      for (const m of models) {
        const blockAttrs = m.properties.filter((p): p is BlockAttribute => p.type === 'attribute');
        const fields = m.properties.filter((p): p is Field => p.type === 'field');
        const columns: ModelColumn[] = [];
        for (const f of fields) {
          // A relation field (type is a model) holds no column; its scalar foreign key is a field of its own.
          if (typeof f.fieldType === 'string' && modelNames.has(f.fieldType)) continue;
          columns.push({
            column: stringArg(attr(f.attributes, 'map')?.args) ?? f.name,
            field: f.name,
            ref: { path, line: f.location?.startLine ?? 1, column: f.location?.startColumn ?? 1 },
            certainty: 'exact',
            markers: attr(f.attributes, 'ignore') ? ['ignored'] : [],
          });
        }
        const table: ModelTable = {
          orm: 'prisma',
          model: m.name,
          table: stringArg(attr(blockAttrs, 'map')?.args) ?? m.name,
          ref: { path, line: m.location?.startLine ?? 1, column: m.location?.startColumn ?? 1 },
          certainty: 'exact',
          columns,
        };
        const schema = stringArg(attr(blockAttrs, 'schema')?.args);
        if (schema) table.schema = schema;
        if (attr(blockAttrs, 'ignore')) table.ignored = true;
        result.tables.push(table);
      }
    }
    return result;
  },
};
