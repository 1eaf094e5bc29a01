/**
 * Small Markdown and number-formatting helpers for the report.
 *
 * @module
 */

/** A Markdown table; `align` per column: `l` (default) or `r`. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('l' | 'r')[] = [],
): string {
  const rule = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** `12.3 ms`. */
export function ms(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(digits)} ms`;
}

/** `433.6 KiB`. */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** `48.2 MiB`. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined || Number.isNaN(bytes) ? '–' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** `12.5 %`. */
export function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)} %`;
}

/** `2.95×`. */
export function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** `+12.3 ms` / `−4.0 ms`. */
export function signedMs(value: number): string {
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(1)} ms`;
}

/** Inline code, safe for any text without a backtick run longer than two. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}
