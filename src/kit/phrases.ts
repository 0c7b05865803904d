/** English phrasing shared by rule messages. */

/** "a SHARE … lock" / "an ACCESS EXCLUSIVE lock". */
export function withArticle(phrase: string): string {
  return `${/^[AEIOU]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}
