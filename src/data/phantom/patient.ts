// One synthetic patient's body habitus and tissue properties, drawn from the seed and the site's
// population settings. Plain numbers only, so they can be written into phantom.json.

import type { SeededRandom } from "./prng.js";
import type { ScannerStyle } from "./styles.js";

export interface PatientParams {
  /** Linear size of skeleton and organs (1 = average adult). */
  scale: number;
  /** Subcutaneous fat thickness at the flanks, mm (anterior and posterior vary around it). */
  fatMm: number;
  /** Abdominal wall muscle thickness, mm. */
  muscleMm: number;
  /** Inner body (muscle wall) half-width and half-depth, mm. */
  innerHalfWidthMm: number;
  innerHalfDepthMm: number;
  /** Relative outline harmonics (k = 2, 3, 4; cosine and sine) of the body cross-section. */
  outlineHarmonics: number[];
  /** Relative growth of the outline per 100 mm towards the feet (the waist widens caudally). */
  caudalWidening: number;
  /** Per-organ size factors on top of `scale`. */
  organScale: { liver: number; spleen: number; pancreas: number; leftKidney: number; rightKidney: number };
  /** Bone density: cortical and trabecular HU. */
  corticalHu: number;
  marrowHu: number;
  /** Liver attenuation shift (fatty liver < 0), HU. */
  liverShiftHu: number;
  /** Strength of contrast enhancement (cardiac output, dose per weight): multiplies enhancement. */
  enhancement: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function drawPatient(rng: SeededRandom, style: ScannerStyle): PatientParams {
  const scale = clamp(rng.gaussian(style.patientScaleMean, style.patientScaleStd), 0.75, 1.3);
  const fatMm = clamp(rng.gaussian(style.fatMeanMm, style.fatStdMm), 6, 60);
  const harmonics: number[] = [];
  for (let k = 2; k <= 4; k++) {
    const amp = 0.035 / (k - 1);
    // Sine terms break left-right symmetry; real abdomens are only slightly asymmetric.
    harmonics.push(rng.gaussian(0, amp), rng.gaussian(0, amp * 0.3));
  }
  return {
    scale,
    fatMm,
    muscleMm: clamp(rng.gaussian(12, 2), 8, 18) * scale,
    innerHalfWidthMm: rng.jitter(145, 0.04) * scale,
    innerHalfDepthMm: rng.jitter(97, 0.04) * scale,
    outlineHarmonics: harmonics,
    caudalWidening: rng.range(0, 0.05),
    organScale: {
      liver: rng.jitter(1, 0.05),
      spleen: rng.jitter(1, 0.1),
      pancreas: rng.jitter(1, 0.08),
      leftKidney: rng.jitter(1, 0.06),
      rightKidney: rng.jitter(1, 0.06),
    },
    corticalHu: rng.range(750, 950),
    marrowHu: rng.range(180, 300),
    liverShiftHu: clamp(rng.gaussian(0, 6), -15, 10),
    enhancement: rng.jitter(1, 0.08),
  };
}
