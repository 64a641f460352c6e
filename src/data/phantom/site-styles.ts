// The federation's sites, each with its own scanner protocol and population, loosely modelled on
// the study's sources: MSD Task03 Liver (LiTS: portal-venous, mixed scanners), Task09 Spleen
// (portal-venous, thick slices), Task07 Pancreas (pancreatic/arterial phase, sharp kernel),
// KiTS19 (late arterial phase), and BTCV as the external test set (portal-venous).

import type { PhantomOrgan } from "./labels.js";
import { DEFAULT_SCANNER_STYLE, type ScannerStyle } from "./styles.js";

export interface SiteSpec {
  /** Folder name and site id, e.g. "site-liver". */
  name: string;
  /** The only organ this site labels. */
  organ: PhantomOrgan;
  style: ScannerStyle;
}

const LIVER_SITE_STYLE: ScannerStyle = {
  ...DEFAULT_SCANNER_STYLE,
  name: "liver-lits-like",
  phase: "portal-venous",
  noiseStdHu: 14,
  kernelBlurMm: 0.7,
  inPlaneSpacingMm: 1.5,
  sliceSpacingMm: 2.5,
  sliceThicknessMm: 2.5,
  fovMm: 400,
  slabMm: 210,
  fovCenterMm: [0, 0, 5],
  patientScaleStd: 0.07,
  fatMeanMm: 24,
  fatStdMm: 9,
  // Many LiTS volumes come from DICOM converters that keep the LPS voxel order.
  orientation: "LPS",
  tablePositionMm: -520,
};

const SPLEEN_SITE_STYLE: ScannerStyle = {
  ...DEFAULT_SCANNER_STYLE,
  name: "spleen-msd-like",
  phase: "portal-venous",
  // A scanner that reads ~20 HU high, low dose, soft kernel, thick slices, tight field of view.
  gain: 1.03,
  offsetHu: 18,
  noiseStdHu: 22,
  noiseGrainMm: 1.1,
  kernelBlurMm: 1.0,
  inPlaneSpacingMm: 1.4,
  sliceSpacingMm: 2.5,
  sliceThicknessMm: 5,
  fovMm: 300,
  slabMm: 200,
  fovCenterMm: [0, -10, 10],
  patientScaleMean: 0.97,
  fatMeanMm: 18,
  fatStdMm: 6,
  orientation: "RAS",
  outsideFovHu: -1024,
  tablePositionMm: -300,
};

const PANCREAS_SITE_STYLE: ScannerStyle = {
  ...DEFAULT_SCANNER_STYLE,
  name: "pancreas-msd-like",
  phase: "arterial",
  gain: 0.98,
  offsetHu: -12,
  noiseStdHu: 10,
  noiseGrainMm: 0.6,
  kernelBlurMm: 0.45,
  inPlaneSpacingMm: 1.3,
  sliceSpacingMm: 2,
  sliceThicknessMm: 2,
  fovMm: 350,
  slabMm: 190,
  fovCenterMm: [0, 5, -10],
  fatMeanMm: 26,
  fatStdMm: 8,
  orientation: "RAS",
  outsideFovHu: -2048,
  table: false,
  tablePositionMm: -150,
};

const KIDNEY_SITE_STYLE: ScannerStyle = {
  ...DEFAULT_SCANNER_STYLE,
  name: "kidney-kits-like",
  phase: "arterial",
  offsetHu: 5,
  noiseStdHu: 16,
  noiseGrainMm: 0.9,
  kernelBlurMm: 0.7,
  inPlaneSpacingMm: 1.6,
  sliceSpacingMm: 2,
  sliceThicknessMm: 3,
  fovMm: 420,
  slabMm: 220,
  fovCenterMm: [0, 0, -15],
  patientScaleMean: 1.05,
  patientScaleStd: 0.09,
  fatMeanMm: 28,
  fatStdMm: 10,
  orientation: "LPS",
  tablePositionMm: -700,
};

export const BTCV_TEST_STYLE: ScannerStyle = {
  ...DEFAULT_SCANNER_STYLE,
  name: "btcv-like",
  phase: "portal-venous",
  noiseStdHu: 12,
  inPlaneSpacingMm: 1.5,
  sliceSpacingMm: 2.5,
  sliceThicknessMm: 2.5,
  fovMm: 390,
  slabMm: 210,
  patientScaleStd: 0.07,
  orientation: "RAS",
  outsideFovHu: -1024,
  tablePositionMm: -450,
};

/** The four training sites, in a fixed order (site seeds and folder names derive from it). */
export const FEDERATION_SITES: readonly SiteSpec[] = [
  { name: "site-liver", organ: "liver", style: LIVER_SITE_STYLE },
  { name: "site-spleen", organ: "spleen", style: SPLEEN_SITE_STYLE },
  { name: "site-pancreas", organ: "pancreas", style: PANCREAS_SITE_STYLE },
  { name: "site-kidney", organ: "kidney", style: KIDNEY_SITE_STYLE },
];
