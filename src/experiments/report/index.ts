// Renderers of the study report: terminal tables, SVG charts, overlay PNGs and the offline HTML page.

export { type BoxStats, boxStats } from "./box-stats.js";
export { escapeMarkup } from "./escape-markup.js";
export { formatTick, niceTicks, type Ticks } from "./nice-ticks.js";
export {
  DISPLAY_WINDOW,
  LABEL_ALPHA,
  overlayGeometry,
  renderOverlayPng,
  windowGrey,
} from "./overlay-png.js";
export { armColour, organCss, organRgb } from "./palette.js";
export { renderReportHtml } from "./report-html.js";
export type * from "./report-types.js";
export {
  type BoxGroup,
  type BoxPanel,
  type BoxPlotOptions,
  boxPlotSvg,
  diceBoxPlotSvg,
} from "./svg-box-plot.js";
export { type LineChartOptions, lineChartSvg } from "./svg-line-chart.js";
export {
  formatDiceTable,
  formatHd95Table,
  formatHeadDiceTable,
  formatPrivacyTable,
} from "./terminal-table.js";
