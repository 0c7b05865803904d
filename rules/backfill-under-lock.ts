import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'backfill-under-lock',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'backfill-under-lock',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
