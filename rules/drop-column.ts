import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'drop-column',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'drop-column',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
