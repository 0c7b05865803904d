import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'add-column-required',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'add-column-required',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
