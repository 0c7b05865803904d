/**
 * `zerodown trace --cleanup [--database-url <url>]`: removes the scratch databases and temporary
 * roles that interrupted server traces left behind. Exit 0 when nothing failed, 2 otherwise.
 */
import { cleanupServer } from './server.ts';

export async function traceCleanup(databaseUrl: string | undefined, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (databaseUrl === undefined) {
    out('zerodown trace --cleanup: PGlite traces run in memory and leave nothing behind; pass --database-url to remove leftover zerodown_trace_* databases and roles from a server.\n');
    return 0;
  }
  const r = await cleanupServer(databaseUrl);
  for (const d of r.dropped) out(`dropped ${d}\n`);
  for (const s of r.skipped) out(`left alone ${s}\n`);
  for (const f of r.failed) out(`could not drop ${f}\n`);
  if (!r.dropped.length && !r.skipped.length && !r.failed.length) out('nothing to clean up: no zerodown_trace_* databases or roles on this server\n');
  return r.failed.length ? 2 : 0;
}
