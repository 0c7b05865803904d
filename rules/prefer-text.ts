import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'prefer-text',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'prefer-text',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
