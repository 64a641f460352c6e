// One axial slice as a PNG: CT in grey through a soft-tissue window, organ labels blended on top in
// fixed colours, enlarged by nearest neighbour and stretched to the true aspect ratio of the pixels.

import { PNG } from "pngjs";
import { organRgb } from "./palette.js";
import type { OverlaySlice } from "./report-types.js";

/** Abdominal soft-tissue display window in HU: below is black, above is white. */
export const DISPLAY_WINDOW: [number, number] = [-160, 240];
/** Opacity of the label colour over the CT. */
export const LABEL_ALPHA = 0.45;
/** Images are enlarged (by a whole factor) to at least this width. */
const MIN_WIDTH = 256;

/** Grey level 0..255 of a CT value through the display window (clipped, linear); NaN is black. */
export function windowGrey(hu: number): number {
  if (Number.isNaN(hu)) return 0;
  const [lo, hi] = DISPLAY_WINDOW;
  const t = Math.min(1, Math.max(0, (hu - lo) / (hi - lo)));
  return Math.round(t * 255);
}

/** Output size and the source pixel of each output row and column (nearest neighbour). */
export function overlayGeometry(
  rows: number,
  cols: number,
  pixelMm: [number, number],
): { width: number; height: number; srcRow: Int32Array; srcCol: Int32Array } {
  const [rowMm, colMm] = pixelMm;
  // Row step / column step: > 1 means pixels are taller than wide. Unusable spacing draws square.
  const aspect = rowMm > 0 && colMm > 0 && Number.isFinite(rowMm / colMm) ? rowMm / colMm : 1;
  // Never shrink an axis: the shorter pixel side is one output pixel per source pixel at factor 1.
  const perCol = aspect >= 1 ? 1 : 1 / aspect;
  const factor = Math.max(1, Math.ceil(MIN_WIDTH / (cols * perCol)));
  const width = Math.round(cols * perCol * factor);
  const height = Math.round(rows * (aspect >= 1 ? aspect : 1) * factor);
  // Sampling at output pixel centres keeps a whole-factor enlargement exact (each source pixel
  // becomes the same number of output pixels).
  const srcRow = Int32Array.from({ length: height }, (_, r) =>
    Math.min(rows - 1, Math.floor(((r + 0.5) * rows) / height)),
  );
  const srcCol = Int32Array.from({ length: width }, (_, c) =>
    Math.min(cols - 1, Math.floor(((c + 0.5) * cols) / width)),
  );
  return { width, height, srcRow, srcCol };
}

/**
 * PNG bytes of the slice's CT with `labels` (organ indices, 0 background, rows * cols, row-major)
 * blended on top; `labels` null draws the CT alone. For the truth pass slice.truth, for an arm
 * slice.predictions[arm.name].
 */
export function renderOverlayPng(slice: OverlaySlice, labels: number[] | null): Buffer {
  const { rows, cols } = slice;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) {
    throw new Error(`renderOverlayPng: bad slice size ${rows} x ${cols} (case ${slice.caseId})`);
  }
  const n = rows * cols;
  if (slice.ct.length !== n) {
    throw new Error(`renderOverlayPng: ct has ${slice.ct.length} values, expected ${rows} x ${cols} = ${n}`);
  }
  if (labels !== null && labels.length !== n) {
    throw new Error(
      `renderOverlayPng: labels have ${labels.length} values, expected ${rows} x ${cols} = ${n}`,
    );
  }
  // Colour each source pixel once, then replicate into the enlarged image.
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const grey = windowGrey(slice.ct[i]);
    const label = labels === null ? 0 : labels[i];
    if (label > 0) {
      const colour = organRgb(label);
      for (let k = 0; k < 3; k++)
        rgb[i * 3 + k] = Math.round(grey * (1 - LABEL_ALPHA) + colour[k] * LABEL_ALPHA);
    } else {
      rgb.fill(grey, i * 3, i * 3 + 3);
    }
  }
  const { width, height, srcRow, srcCol } = overlayGeometry(rows, cols, slice.pixelMm);
  const png = new PNG({ width, height });
  // pngjs takes RGBA input; written as colour type 2 (RGB), the opaque alpha is dropped.
  const data = png.data;
  for (let r = 0; r < height; r++) {
    const rowBase = srcRow[r] * cols;
    for (let c = 0; c < width; c++) {
      const s = (rowBase + srcCol[c]) * 3;
      const d = (r * width + c) * 4;
      data[d] = rgb[s];
      data[d + 1] = rgb[s + 1];
      data[d + 2] = rgb[s + 2];
      data[d + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
