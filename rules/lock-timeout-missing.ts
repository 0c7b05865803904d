import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'lock-timeout-missing',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'lock-timeout-missing',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
