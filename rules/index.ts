/** Every rule, in the order `zerodown rules` lists them. */
import type { Rule } from '../src/rule.ts';
import addColumnRewrite from './add-column-rewrite.ts';
import concurrentInTransaction from './concurrent-in-transaction.ts';
import indexNotConcurrent from './index-not-concurrent.ts';
import parseError from './parse-error.ts';
import setNotNullScan from './set-not-null-scan.ts';

export const RULES: readonly Rule[] = [parseError, addColumnRewrite, indexNotConcurrent, setNotNullScan, concurrentInTransaction];
