// The organs SegViz segments. Output label i + 1 is ORGANS[i]; 0 is background. Label maps may use
// a longer vocabulary (e.g. left and right kidney apart) by giving their own `organs` list.

export const ORGANS: readonly string[] = ["liver", "spleen", "pancreas", "kidney"];
