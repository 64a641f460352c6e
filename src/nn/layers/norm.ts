// Normalisation layers with PyTorch's parameters, buffers and update rules.
import { batchNorm, instanceNorm, noGrad, ones, type Tensor, zeros } from "../../engine/index.js";
import { Module } from "../module.js";

export interface NormOptions {
  eps?: number;
  /** Running-average factor; null means a cumulative average (as PyTorch's momentum=None). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm3d and InstanceNorm3d, which differ only in defaults and the kernel. */
abstract class NormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  /** Mutable, as PyTorch's: a recalibration pass switches to a cumulative average (null). */
  momentum: number | null;

  constructor(numFeatures: number, o: Required<NormOptions>) {
    super();
    this.eps = o.eps;
    this.momentum = o.momentum;
    this.weight = o.affine ? this.registerParameter("weight", ones([numFeatures])) : null;
    this.bias = o.affine ? this.registerParameter("bias", zeros([numFeatures])) : null;
    if (o.trackRunningStats) {
      this.runningMean = this.registerBuffer("running_mean", zeros([numFeatures]));
      this.runningVar = this.registerBuffer("running_var", ones([numFeatures]));
      this.numBatchesTracked = this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int64" }));
    } else {
      this.runningMean = this.runningVar = this.numBatchesTracked = null;
    }
  }

  /** Running statistics back to mean 0, variance 1, no batches counted (PyTorch's reset_running_stats). */
  resetRunningStats(): void {
    if (this.runningMean === null) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  /** The factor for this step; counts batches as PyTorch does. */
  protected stepMomentum(): number {
    if (this.training && this.numBatchesTracked !== null) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      if (this.momentum === null) return 1 / this.numBatchesTracked.item();
    }
    return this.momentum ?? 0;
  }
}

export class BatchNorm3d extends NormBase {
  constructor(numFeatures: number, o: NormOptions = {}) {
    super(numFeatures, {
      eps: o.eps ?? 1e-5,
      momentum: o.momentum === undefined ? 0.1 : o.momentum,
      affine: o.affine ?? true,
      trackRunningStats: o.trackRunningStats ?? true,
    });
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 5)
      throw new Error(`BatchNorm3d: expected 5D input [N, C, D, H, W], got shape [${x.shape}]`);
    const momentum = this.stepMomentum();
    const useBatchStats = this.training || this.runningMean === null;
    return batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: !this.training || this.numBatchesTracked !== null ? this.runningMean : null,
      runningVar: !this.training || this.numBatchesTracked !== null ? this.runningVar : null,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
  }
}

export class InstanceNorm3d extends NormBase {
  constructor(numFeatures: number, o: NormOptions = {}) {
    super(numFeatures, {
      eps: o.eps ?? 1e-5,
      momentum: o.momentum === undefined ? 0.1 : o.momentum,
      affine: o.affine ?? false,
      trackRunningStats: o.trackRunningStats ?? false,
    });
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 5)
      throw new Error(`InstanceNorm3d: expected 5D input [N, C, D, H, W], got shape [${x.shape}]`);
    // PyTorch's _InstanceNorm neither counts batches nor accepts momentum=None.
    if (this.momentum === null && this.runningMean !== null) {
      throw new Error("InstanceNorm3d: momentum=null is not supported with trackRunningStats (as PyTorch)");
    }
    const momentum = this.momentum ?? 0.1;
    return instanceNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      useInputStats: this.training || this.runningMean === null,
      momentum,
      eps: this.eps,
    });
  }
}
