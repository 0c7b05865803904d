/**
 * PGlite in a worker thread, so that trace's statement timeout holds for PGlite too. PGlite runs
 * PostgreSQL in WebAssembly on the calling thread: `statement_timeout` never fires there (it
 * needs a timer signal) and a runaway statement (`SELECT pg_sleep(600)`, an endless loop in a DO
 * block) blocks the event loop. In a worker, the main thread keeps its timer and, when the
 * statement outlives the timeout, terminates the worker: the database is gone with it, so every
 * later statement fails with that reason instead of hanging.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Runs in the worker (CommonJS eval): loads PGlite and its extensions, answers one message at a time. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const mod = await import(workerData.pglite);
  const extensions = {};
  for (const [name, url] of workerData.extensions) extensions[name] = (await import(url))[name];
  const pg = await mod.PGlite.create({ extensions });
  parentPort.on('message', async (m) => {
    try {
      if (m.close) {
        await pg.close();
        parentPort.postMessage({ id: m.id, rows: [] });
        return;
      }
      const results = await pg.exec(m.sql);
      parentPort.postMessage({ id: m.id, rows: results.length ? results[results.length - 1].rows : [] });
    } catch (e) {
      const error = { message: String((e && e.message) || e) };
      for (const k of Object.keys(e || {})) if (typeof e[k] === 'string' || typeof e[k] === 'number') error[k] = e[k];
      parentPort.postMessage({ id: m.id, error });
    }
  });
  parentPort.postMessage({ ready: true });
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.message) || e) }));
`;

/** PGlite was stopped (a statement outlived the timeout): nothing more can run on it. */
export class PgliteStopped extends Error {
  override name = 'PgliteStopped';
}

interface Reply {
  id?: number;
  rows?: unknown[];
  error?: Record<string, string | number> & { message: string };
  ready?: boolean;
  fatal?: string;
}

export interface WorkerPglite {
  exec(sql: string): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Resolves a package the way zerodown's own files would (the CLI bundle, or the sources in a checkout). */
function resolveFromZerodown(specifier: string): string {
  const bases = [process.argv[1], path.join(process.cwd(), 'package.json')].filter((b): b is string => !!b);
  let lastError: unknown;
  for (const base of bases) {
    try {
      return createRequire(fs.realpathSync(base)).resolve(specifier);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`cannot resolve ${specifier}`);
}

/** Starts PGlite in a worker; `timeoutMs` (0 = none) bounds each exec. */
export async function startPgliteWorker(extensionFiles: readonly string[], timeoutMs: number): Promise<WorkerPglite> {
  const pglite = pathToFileURL(resolveFromZerodown('@electric-sql/pglite')).href;
  const extensions = extensionFiles.map((file) => [file, pathToFileURL(resolveFromZerodown(`@electric-sql/pglite/contrib/${file}`)).href]);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite, extensions } });
  let stopped: string | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  const failAll = (why: string): void => {
    stopped ??= why;
    for (const w of waiting.values()) w.reject(new Error(why));
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: Reply) => {
      if (m.ready) return resolve();
      if (m.fatal) return reject(new Error(`PGlite did not start: ${m.fatal}`));
      const w = m.id === undefined ? undefined : waiting.get(m.id);
      if (!w || m.id === undefined) return;
      waiting.delete(m.id);
      if (m.error) w.reject(Object.assign(new Error(m.error.message), m.error));
      else w.resolve(m.rows ?? []);
    });
    worker.on('error', (e) => {
      failAll(`PGlite stopped: ${e.message}`);
      reject(e);
    });
    worker.on('exit', () => failAll('PGlite stopped'));
  });
  const send = (message: { sql?: string; close?: boolean }, limitMs: number): Promise<unknown[]> => {
    if (stopped) return Promise.reject(new PgliteStopped(stopped));
    const id = nextId++;
    return new Promise<unknown[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = <T>(f: (v: T) => void) => (v: T): void => {
        if (timer) clearTimeout(timer);
        f(v);
      };
      waiting.set(id, { resolve: done(resolve), reject: done(reject) });
      if (limitMs > 0) {
        timer = setTimeout(() => {
          const shown = (message.sql ?? '').replace(/\s+/g, ' ').trim();
          const why = `cancelled: \`${shown.length > 80 ? `${shown.slice(0, 77)}…` : shown}\` ran longer than the statement timeout (${limitMs / 1000} s, --statement-timeout); PGlite runs in-process and was stopped with it, so nothing after this statement ran`;
          waiting.delete(id);
          stopped = why;
          reject(Object.assign(new Error(why), { code: '57014' }));
          void worker.terminate();
        }, limitMs);
      }
      worker.postMessage({ id, ...message });
    });
  };
  return {
    exec: (sql) => send({ sql }, timeoutMs),
    async close() {
      if (!stopped) await send({ close: true }, 0).catch(() => undefined);
      stopped ??= 'PGlite closed';
      await worker.terminate();
    },
  };
}
