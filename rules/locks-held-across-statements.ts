import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'locks-held-across-statements',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'locks-held-across-statements',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
