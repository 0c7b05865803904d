import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'validate-in-same-transaction',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'validate-in-same-transaction',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
