// The pieces every chart's SVG shares: the root element and an estimate of text width (there is no
// font metrics API without a DOM, so layout uses an average glyph width of the sans-serif stack).

import { escapeMarkup } from "./escape-markup.js";

const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export interface SvgRootOptions {
  /**
   * Inline in an HTML page: no xmlns attribute (HTML parsers put <svg> in the SVG namespace
   * themselves), so an offline report contains no URL at all. Standalone .svg files need it.
   */
  inline?: boolean;
  /** Accessible name of the chart. */
  title?: string;
}

/** Average advance of a glyph in the sans-serif stack, in em. */
const AVERAGE_GLYPH_EM = 0.58;

export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * AVERAGE_GLYPH_EM;
}

/** Round to 0.1 px: shorter output, no visible difference. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function svgRoot(
  width: number,
  height: number,
  content: string[],
  options: SvgRootOptions = {},
): string {
  const ns = options.inline ? "" : ' xmlns="http://www.w3.org/2000/svg"';
  const title = options.title === undefined ? "" : `<title>${escapeMarkup(options.title)}</title>`;
  return (
    `<svg${ns} width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
    `font-family="${FONT_FAMILY}" font-size="12" role="img">${title}\n${content.join("\n")}\n</svg>`
  );
}
