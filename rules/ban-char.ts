import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'ban-char',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ban-char',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
