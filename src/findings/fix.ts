/**
 * Autofix: rules attach text edits to findings where the rewrite is mechanical and safe; --fix
 * applies them in place, re-analyzes and repeats until nothing changes (so a second run is a no-op).
 */
import { lineEnding } from '../util/line-ending.ts';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: TextEdit[];
}

/**
 * Applies non-overlapping fixes (a fix whose edits overlap an earlier one waits for the next round).
 * Inserted line breaks follow the file's own line endings (CRLF files stay CRLF).
 */
export function applyFixes(text: string, fixes: readonly Fix[]): { text: string; applied: number } {
  const eol = lineEnding(text);
  const taken: TextEdit[] = [];
  const chosen: TextEdit[] = [];
  const order = new Map<TextEdit, number>();
  let applied = 0;
  const overlaps = (a: TextEdit, b: TextEdit): boolean => (a.start < b.end && b.start < a.end) || (a.start === b.start && a.end === a.start && b.end === b.start);
  for (const fix of fixes) {
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    for (const e of fix.edits) {
      taken.push(e);
      order.set(e, chosen.length);
      chosen.push(e);
    }
    applied++;
  }
  // From the end of the text backwards; edits at the same point keep their listed order in the output.
  chosen.sort((a, b) => b.start - a.start || b.end - a.end || (order.get(b) ?? 0) - (order.get(a) ?? 0));
  let out = text;
  for (const e of chosen) out = out.slice(0, e.start) + (eol === '\r\n' ? e.text.replace(/\r?\n/g, '\r\n') : e.text) + out.slice(e.end);
  return { text: out, applied };
}
