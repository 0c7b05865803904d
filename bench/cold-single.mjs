// (a) One small migration, cold process: zerodown vs squawk vs pgfence.
import path from 'node:path';
import { compare, ROOT, tools } from './lib.mjs';

const file = path.join(ROOT, 'fixtures/demo/002_order_tracking.up.sql');
export default () =>
  compare('(a) one small migration, cold process', {
    zerodown: tools.zerodown([file, '--format', 'compact', '--no-cache']),
    squawk: tools.squawk([file]),
    pgfence: tools.pgfence([file]),
  });

if (import.meta.url === `file://${process.argv[1]}`) await (await import('./cold-single.mjs')).default();
