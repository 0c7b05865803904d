/**
 * The few ANSI styles the reporters use. The caller decides whether colour is on (TTY, NO_COLOR,
 * FORCE_COLOR); a styling library would cost start-up time for six escape codes.
 */
export type Style = (text: string) => string;

export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
  magenta: Style;
  underline: Style;
}

function style(open: number, close: number): Style {
  // Re-open after nested closes so that an inner style does not end the outer one.
  const start = `\u001b[${open}m`;
  const end = `\u001b[${close}m`;
  return (text) => start + text.split(end).join(end + start) + end;
}

const PLAIN: Style = (text) => text;

export function palette(color: boolean): Palette {
  if (!color) return { bold: PLAIN, dim: PLAIN, red: PLAIN, green: PLAIN, yellow: PLAIN, cyan: PLAIN, magenta: PLAIN, underline: PLAIN };
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
    magenta: style(35, 39),
    underline: style(4, 24),
  };
}
