/**
 * Text emphasis for the terminal: ANSI styles when enabled, plain text otherwise.
 *
 * @module
 */

/** Wraps text in a style (or returns it unchanged). */
export type Paint = (text: string) => string;

/** The styles the text report uses. */
export interface Style {
  readonly heading: Paint;
  readonly label: Paint;
  readonly dim: Paint;
  readonly good: Paint;
  readonly bad: Paint;
}

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const plain: Paint = (text) => text;

/**
 * Styles for a stream: coloured only when it is a TTY and `NO_COLOR` is not set.
 *
 * @example
 * const style = styleFor(process.stdout); style.good('SUCCESS');
 */
export function styleFor(stream: { readonly isTTY?: boolean }): Style {
  const enabled = stream.isTTY === true && !process.env.NO_COLOR;
  if (!enabled) return { heading: plain, label: plain, dim: plain, good: plain, bad: plain };
  return {
    heading: ansi(1, 22),
    label: ansi(36, 39),
    dim: ansi(2, 22),
    good: ansi(32, 39),
    bad: ansi(31, 39),
  };
}
