import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'truncate',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'truncate',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
