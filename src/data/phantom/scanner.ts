// Turns a tissue map into a CT image as one scanner would deliver it: tissue HU with texture,
// blur from the reconstruction kernel and slice thickness, the scanner's calibration (gain,
// offset), correlated quantum noise, the 12-bit CT range, and padding outside the scan circle.

import type { VoxelGrid } from "./grid.js";
import { appearanceTable } from "./hounsfield.js";
import type { PatientParams } from "./patient.js";
import type { SeededRandom } from "./prng.js";
import type { ScannerStyle } from "./styles.js";
import { blurredNoiseStdFactor2d, gaussianBlurAxis, smoothNoiseField } from "./texture.js";

/** Texture grains, mm: organ-scale shading and parenchymal mottling. */
const COARSE_TEXTURE_MM = 30;
const FINE_TEXTURE_MM = 9;
/** Blur (voxels) standing in for partial-volume averaging, which point sampling lacks. */
const PARTIAL_VOLUME_SIGMA = 0.4;
/** Stored CT values: 12-bit range of most scanners. */
const CT_MIN = -1024;
const CT_MAX = 3071;

/** True tissue HU with texture: mean + coarse * field1 + fine * field2, per voxel. */
export function tissueHu(
  tissue: Uint8Array,
  grid: VoxelGrid,
  style: ScannerStyle,
  patient: PatientParams,
  rng: SeededRandom,
): Float32Array {
  const table = appearanceTable(style.phase, patient);
  const hu = smoothNoiseField(grid, COARSE_TEXTURE_MM, rng.fork("coarse-texture"));
  const fine = smoothNoiseField(grid, FINE_TEXTURE_MM, rng.fork("fine-texture"));
  const { mean, coarse, fine: fineAmp } = table;
  for (let p = 0; p < hu.length; p++) {
    const t = tissue[p];
    hu[p] = mean[t] + coarse[t] * hu[p] + fineAmp[t] * fine[p];
  }
  return hu;
}

/** Applies the scanner's resolution, calibration and noise; returns stored int16 values. */
export function scanImage(
  hu: Float32Array,
  grid: VoxelGrid,
  style: ScannerStyle,
  patient: PatientParams,
  rng: SeededRandom,
): Int16Array {
  const shape = grid.shape;
  const [sx, sy, sz] = grid.spacing;
  const scratch = new Float32Array(hu.length);
  const inPlane = (spacing: number) => Math.hypot(PARTIAL_VOLUME_SIGMA, style.kernelBlurMm / spacing);
  gaussianBlurAxis(hu, shape, 0, inPlane(sx));
  gaussianBlurAxis(hu, shape, 1, inPlane(sy), scratch);
  // A slice of thickness T integrates a box of width T: std T / sqrt(12).
  const thickness = Math.hypot(PARTIAL_VOLUME_SIGMA, style.sliceThicknessMm / Math.sqrt(12) / sz);
  gaussianBlurAxis(hu, shape, 2, thickness, scratch);

  // The scratch buffer becomes the noise field.
  const noise = scratch;
  rng.fork("quantum-noise").fillNormalFast(noise);
  const grain = style.noiseGrainMm / sx;
  gaussianBlurAxis(noise, shape, 0, grain);
  gaussianBlurAxis(noise, shape, 1, grain);
  // Larger patients attenuate more photons: noisier images.
  const noiseStd = (style.noiseStdHu * patient.scale ** 1.5) / Math.sqrt(blurredNoiseStdFactor2d(grain));

  const [ni, nj, nk] = shape;
  const out = new Int16Array(hu.length);
  // The reconstruction circle fills the field of view.
  const cx = (ni - 1) / 2;
  const cy = (nj - 1) / 2;
  const radius2 = (Math.min(ni * sx, nj * sy) / 2) ** 2;
  let p = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const dy2 = ((j - cy) * sy) ** 2;
      for (let i = 0; i < ni; i++, p++) {
        if (style.outsideFovHu !== null && ((i - cx) * sx) ** 2 + dy2 > radius2) {
          out[p] = style.outsideFovHu;
          continue;
        }
        const v = style.gain * hu[p] + style.offsetHu + noiseStd * noise[p];
        out[p] = Math.round(v < CT_MIN ? CT_MIN : v > CT_MAX ? CT_MAX : v);
      }
    }
  }
  return out;
}
