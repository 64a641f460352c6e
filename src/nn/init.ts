// Parameter initialisation as PyTorch's defaults, drawn from the engine's seeded generator.
import { noGrad, type Tensor, uniform_ } from "../engine/index.js";

/** fan_in as torch.nn.init._calculate_fan_in_and_fan_out: size(1) x receptive field. */
function fanIn(shape: readonly number[]): number {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return (shape[1] ?? 1) * receptive;
}

/** kaiming_uniform_(a = sqrt(5)), PyTorch's default for conv and linear weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function initConvWeight(w: Tensor): void {
  const bound = 1 / Math.sqrt(fanIn(w.shape));
  noGrad(() => uniform_(w, -bound, bound));
}

/** Bias init of conv/linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of the weight's fan_in. */
export function initConvBias(b: Tensor, weightShape: readonly number[]): void {
  const f = fanIn(weightShape);
  const bound = f > 0 ? 1 / Math.sqrt(f) : 0;
  noGrad(() => uniform_(b, -bound, bound));
}
