/**
 * MikroORM migrations: `this.addSql(sql)` queues SQL that the Migrator runs in order, and
 * `this.execute(sql)` runs it at once; both are raw SQL on the migration itself (`this`), which the
 * extractor handles for every runner. Nothing else to translate.
 */
import type { Preset } from './context.ts';

export const mikroOrmPreset: Preset = () => false;
