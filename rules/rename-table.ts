import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'rename-table',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'rename-table',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
