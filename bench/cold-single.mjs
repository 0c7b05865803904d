// (a) One small migration, cold process: zerodown vs squawk vs pgfence.
import path from 'node:path';
import { compare, isMain, ROOT, tools } from './lib.mjs';

const file = path.join(ROOT, 'fixtures/demo/002_order_tracking.up.sql');
const run = () =>
  compare('(a) one small migration, cold process', {
    zerodown: tools.zerodown([file, '--format', 'compact', '--no-cache']),
    squawk: tools.squawk([file]),
    pgfence: tools.pgfence([file]),
  });

if (isMain(import.meta.url)) await run();
export default run;
