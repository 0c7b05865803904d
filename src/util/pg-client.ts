/**
 * The `pg` (node-postgres) Client class, imported only when a command talks to a server (trace
 * --database-url, stats --database-url), so that `zerodown lint` never loads the driver.
 */
import { dynamicImport } from './dynamic-import.ts';

export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] } | { rows: unknown[] }[]>;
  end(): Promise<void>;
  on(event: 'error', cb: (e: Error) => void): unknown;
}

export type PgClientCtor = new (config: { connectionString: string; application_name?: string; connectionTimeoutMillis?: number }) => PgClient;

/** Throws with the import's message when the package cannot be loaded; callers say which option needs it. */
export async function loadPgClient(): Promise<PgClientCtor> {
  const mod = await dynamicImport<{ default?: { Client: PgClientCtor }; Client?: PgClientCtor }>('pg');
  const ctor = mod.default?.Client ?? mod.Client;
  if (!ctor) throw new Error('pg module has no Client');
  return ctor;
}
