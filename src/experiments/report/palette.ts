// Fixed colours, so the same arm or organ has the same colour in every chart and every report.

/** Arm colours (a colour-blind-friendly qualitative set, after Okabe & Ito), cycled by arm index. */
const ARM_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];

export function armColour(index: number): string {
  return ARM_COLOURS[((index % ARM_COLOURS.length) + ARM_COLOURS.length) % ARM_COLOURS.length];
}

/** Organ label colours as RGB, for label index 1..: liver, spleen, pancreas, kidney, then more. */
const ORGAN_RGB: [number, number, number][] = [
  [178, 58, 42], // 1 liver: brownish red
  [142, 68, 173], // 2 spleen: purple
  [241, 196, 15], // 3 pancreas: yellow
  [46, 174, 82], // 4 kidney: green
  [0, 170, 200], // 5 cyan
  [230, 120, 20], // 6 orange
  [40, 90, 220], // 7 blue
  [230, 80, 160], // 8 pink
];

/** Colour of label index `label` (1-based, as in label maps); indices past the palette cycle. */
export function organRgb(label: number): [number, number, number] {
  if (!Number.isInteger(label) || label < 1)
    throw new Error(`organRgb: label must be an integer >= 1, got ${label}`);
  return ORGAN_RGB[(label - 1) % ORGAN_RGB.length];
}

export function organCss(label: number): string {
  const [r, g, b] = organRgb(label);
  return `rgb(${r}, ${g}, ${b})`;
}
