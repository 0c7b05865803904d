/**
 * Which .ts/.js files a directory walk treats as migrations: script files under a directory whose
 * name says migrations (migrations/, migration/, alterations/ …) or named as the runners name them
 * (a leading timestamp or version, MikroORM's `Migration<timestamp>`), never declarations, tests or
 * specs. A file given by name is always read; one without `up`/`down` is then not reported.
 */
import { isScriptFile } from './typescript.ts';

const MIGRATION_DIR = /(^|[\\/])[^\\/]*(migrat|alteration)[^\\/]*[\\/]/i;
const MIGRATION_NAME = /(^|[\\/])(\d|V\d|Migration\d)[^\\/]*$/;
const NOT_MIGRATION = /\.(test|spec|stories)\.[cm]?[jt]s$|(^|[\\/])(__tests__|__mocks__|test|tests)[\\/]/i;

export function isScriptMigrationPath(file: string): boolean {
  return isScriptFile(file) && (MIGRATION_DIR.test(file) || MIGRATION_NAME.test(file)) && !NOT_MIGRATION.test(file);
}
