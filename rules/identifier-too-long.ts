import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'identifier-too-long',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'identifier-too-long',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
