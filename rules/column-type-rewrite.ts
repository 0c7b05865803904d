import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'column-type-rewrite',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'column-type-rewrite',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
