import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'table-rewrite',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'table-rewrite',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
