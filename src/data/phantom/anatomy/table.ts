// The scanner table under the patient's back: a slightly curved board, painted only into air.
// It is a bright, label-free structure that preprocessing (foreground cropping) has to cope with.

import { Tissue } from "../labels.js";
import { NO_TISSUE, type Structure } from "../paint.js";

export function buildTable(skinBackY: number, zMin: number, zMax: number): Structure {
  const topAtCentre = skinBackY - 3;
  const thickness = 12;
  const halfWidth = 220;
  return {
    bounds: {
      min: [-halfWidth, topAtCentre - thickness - 1, zMin],
      max: [halfWidth, topAtCentre + 40, zMax],
    },
    tissueAt: (x, y) => {
      const top = topAtCentre + 0.0006 * x * x;
      return y <= top && y > top - thickness ? Tissue.table : NO_TISSUE;
    },
  };
}
