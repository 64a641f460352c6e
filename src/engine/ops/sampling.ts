// Resampling: interpolation, affine grids and grid sampling (augmentation and spacing changes).
import { atenOp } from "../dispatch.js";
import { callT, type Tensor } from "../tensor.js";

const op = {
  nearest3d: atenOp("aten::upsample_nearest3d", "vec"),
  trilinear3d: atenOp("aten::upsample_trilinear3d", "vec"),
  affineGrid: atenOp("aten::affine_grid_generator"),
  gridSampler: atenOp("aten::grid_sampler"),
};

interface InterpolateOptions {
  size?: readonly [number, number, number];
  scaleFactor?: number | readonly [number, number, number];
  mode: "nearest" | "trilinear";
  alignCorners?: boolean;
}

/** Resizes a [N, C, D, H, W] tensor, as torch.nn.functional.interpolate. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new Error("interpolate: give exactly one of size and scaleFactor");
  }
  const scales =
    o.scaleFactor === undefined
      ? null
      : typeof o.scaleFactor === "number"
        ? [o.scaleFactor, o.scaleFactor, o.scaleFactor]
        : o.scaleFactor;
  if (o.mode === "nearest") {
    if (o.alignCorners !== undefined) throw new Error("interpolate: alignCorners only applies to trilinear");
    return callT(op.nearest3d, [x, o.size ?? null, scales]);
  }
  return callT(op.trilinear3d, [x, o.size ?? null, o.alignCorners ?? false, scales]);
}

/** Sampling grid [N, D, H, W, 3] for affine matrices theta [N, 3, 4] (normalised coords, as F.affine_grid). */
export function affineGrid(
  theta: Tensor,
  size: readonly [number, number, number, number, number],
  alignCorners = false,
): Tensor {
  return callT(op.affineGrid, [theta, size, alignCorners]);
}

const INTERP = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const PADDING = { zeros: 0, border: 1, reflection: 2 } as const;

/** Samples x at grid locations, as F.grid_sample ("bilinear" is trilinear for 5D input). */
export function gridSample(
  x: Tensor,
  grid: Tensor,
  o: {
    mode?: "bilinear" | "nearest";
    paddingMode?: "zeros" | "border" | "reflection";
    alignCorners?: boolean;
  } = {},
): Tensor {
  return callT(op.gridSampler, [
    x,
    grid,
    INTERP[o.mode ?? "bilinear"],
    PADDING[o.paddingMode ?? "zeros"],
    o.alignCorners ?? false,
  ]);
}
