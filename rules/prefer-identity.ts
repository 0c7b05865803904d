import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'prefer-identity',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'prefer-identity',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
