import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'prefer-robust-statements',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'prefer-robust-statements',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
