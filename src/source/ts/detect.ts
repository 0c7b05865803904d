/**
 * Which library a TS/JS migration is written for, from its imports and shape (a file says more
 * than the repository: monorepos mix ORMs). The repository markers (package.json, knexfile,
 * data-source, mikro-orm config) decide only when the file itself does not.
 */
import type * as TS from 'typescript';
import type { RunnerId } from '../runners.ts';
import type { TypeScript } from './typescript.ts';

const MODULES: [RegExp, RunnerId][] = [
  [/^(@n8n\/)?typeorm(\/|$)/, 'typeorm'],
  [/^@mikro-orm\//, 'mikro-orm'],
  [/^knex(\/|$)/, 'knex'],
  [/^kysely(\/|$)/, 'kysely'],
  [/^(@sequelize\/core|sequelize|sequelize-typescript|umzug)(\/|$)/, 'sequelize'],
  [/^node-pg-migrate(\/|$)/, 'node-pg-migrate'],
  [/^db-migrate(-pg)?(\/|$)/, 'db-migrate'],
  [/(^|\/)slonik(\/|$)|^@silverhand\/slonik/, 'slonik'],
];

/** Shapes of the code when imports say nothing (CommonJS migrations rarely import their runner). */
const SHAPES: [RegExp, RunnerId][] = [
  [/\bimplements\s+MigrationInterface\b|\bQueryRunner\b|\bqueryRunner\s*\.\s*query\s*\(/, 'typeorm'],
  [/\bextends\s+Migration\b[\s\S]*\bthis\s*\.\s*addSql\s*\(/, 'mikro-orm'],
  [/\bqueryInterface\b|\bSequelize\s*\.\s*(STRING|INTEGER|DATE|BOOLEAN|UUID|TEXT|JSONB?)\b/, 'sequelize'],
  [/\bpgm\s*\.\s*\w+\s*\(|MigrationBuilder\b/, 'node-pg-migrate'],
  [/\bknex\s*\.\s*(schema|raw)\b|\bKnex\b/, 'knex'],
  [/\bdb\s*\.\s*schema\s*\.\s*(createTable|alterTable|createIndex|dropTable|dropIndex)\s*\(|Kysely<|\.execute\s*\(\s*db\s*\)/, 'kysely'],
  [/\bdb\s*\.\s*(runSql|addColumn|removeColumn|createTable|addIndex)\s*\(/, 'db-migrate'],
];

export function detectScriptRunner(ts: TypeScript, sf: TS.SourceFile, source: string): RunnerId | null {
  const specifiers: string[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const [re, runner] of MODULES) if (specifiers.some((s) => re.test(s))) return runner;
  for (const [re, runner] of SHAPES) if (re.test(source)) return runner;
  return null;
}
