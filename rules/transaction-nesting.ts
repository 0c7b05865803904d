import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'transaction-nesting',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'transaction-nesting',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
