import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'rename-column',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'rename-column',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
