import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'enum-value-in-transaction',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'enum-value-in-transaction',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
