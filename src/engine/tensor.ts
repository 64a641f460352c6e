// The engine's tensor: one libtorch tensor owned by JS, with the methods the layers above use.
// Free-standing ops (conv3d, cat, ...) live in ./ops; methods here are the everyday ones.
import { type AtenOp, atenOp } from "./dispatch.js";
import { type AnyTypedArray, type Dtype, dtypeOfArray, type TypedArrayFor } from "./dtype.js";
import { type NativeTensorHandle, type NativeValue, native } from "./native.js";
import { type Disposable, track } from "./scope.js";

type Scalar = number | boolean;
type TensorOrScalar = Tensor | Scalar;

const op = {
  add: atenOp("aten::add", "Tensor"),
  addS: atenOp("aten::add", "Scalar"),
  sub: atenOp("aten::sub", "Tensor"),
  subS: atenOp("aten::sub", "Scalar"),
  mul: atenOp("aten::mul", "Tensor"),
  mulS: atenOp("aten::mul", "Scalar"),
  div: atenOp("aten::div", "Tensor"),
  divS: atenOp("aten::div", "Scalar"),
  pow: atenOp("aten::pow", "Tensor_Tensor"),
  powS: atenOp("aten::pow", "Tensor_Scalar"),
  neg: atenOp("aten::neg"),
  exp: atenOp("aten::exp"),
  log: atenOp("aten::log"),
  sqrt: atenOp("aten::sqrt"),
  abs: atenOp("aten::abs"),
  sigmoid: atenOp("aten::sigmoid"),
  tanh: atenOp("aten::tanh"),
  relu: atenOp("aten::relu"),
  floor: atenOp("aten::floor"),
  round: atenOp("aten::round"),
  clamp: atenOp("aten::clamp"),
  eq: atenOp("aten::eq", "Tensor"),
  eqS: atenOp("aten::eq", "Scalar"),
  ne: atenOp("aten::ne", "Tensor"),
  neS: atenOp("aten::ne", "Scalar"),
  lt: atenOp("aten::lt", "Tensor"),
  ltS: atenOp("aten::lt", "Scalar"),
  le: atenOp("aten::le", "Tensor"),
  leS: atenOp("aten::le", "Scalar"),
  gt: atenOp("aten::gt", "Tensor"),
  gtS: atenOp("aten::gt", "Scalar"),
  ge: atenOp("aten::ge", "Tensor"),
  geS: atenOp("aten::ge", "Scalar"),
  logicalAnd: atenOp("aten::logical_and"),
  logicalOr: atenOp("aten::logical_or"),
  logicalNot: atenOp("aten::logical_not"),
  sumAll: atenOp("aten::sum"),
  sumDim: atenOp("aten::sum", "dim_IntList"),
  meanAll: atenOp("aten::mean"),
  meanDim: atenOp("aten::mean", "dim"),
  amax: atenOp("aten::amax"),
  amin: atenOp("aten::amin"),
  maxAll: atenOp("aten::max"),
  minAll: atenOp("aten::min"),
  argmax: atenOp("aten::argmax"),
  norm: atenOp("aten::linalg_vector_norm"),
  matmul: atenOp("aten::matmul"),
  reshape: atenOp("aten::reshape"),
  view: atenOp("aten::view"),
  permute: atenOp("aten::permute"),
  transpose: atenOp("aten::transpose", "int"),
  flatten: atenOp("aten::flatten", "using_ints"),
  squeezeDim: atenOp("aten::squeeze", "dim"),
  squeeze: atenOp("aten::squeeze"),
  unsqueeze: atenOp("aten::unsqueeze"),
  narrow: atenOp("aten::narrow"),
  slice: atenOp("aten::slice", "Tensor"),
  select: atenOp("aten::select", "int"),
  expand: atenOp("aten::expand"),
  contiguous: atenOp("aten::contiguous"),
  clone: atenOp("aten::clone"),
  detach: atenOp("aten::detach"),
  toDtype: atenOp("aten::to", "dtype"),
  toDevice: atenOp("aten::to", "device"),
  flip: atenOp("aten::flip"),
  where: atenOp("aten::where", "self"),
  isfinite: atenOp("aten::isfinite"),
  allAll: atenOp("aten::all"),
  anyAll: atenOp("aten::any"),
  // In-place updates, used by optimisers and buffers; their results are discarded.
  add_: atenOp("aten::add_", "Tensor"),
  addS_: atenOp("aten::add_", "Scalar"),
  mul_: atenOp("aten::mul_", "Tensor"),
  mulS_: atenOp("aten::mul_", "Scalar"),
  div_: atenOp("aten::div_", "Tensor"),
  addcmul_: atenOp("aten::addcmul_"),
  addcdiv_: atenOp("aten::addcdiv_"),
  copy_: atenOp("aten::copy_"),
  zero_: atenOp("aten::zero_"),
  fillS_: atenOp("aten::fill_", "Scalar"),
  clampS_: atenOp("aten::clamp_"),
  sqrt_: atenOp("aten::sqrt_"),
  lerp_: atenOp("aten::lerp_", "Scalar"),
} satisfies Record<string, AtenOp>;

function wrapValue(v: NativeValue): Tensor | Tensor[] {
  if (Array.isArray(v)) return v.map((e) => wrapValue(e) as Tensor);
  if (v === null || typeof v !== "object") throw new Error(`expected a tensor result, got ${String(v)}`);
  return Tensor.fromHandle(v);
}

/** Calls an operator that returns one tensor. */
export function callT(o: AtenOp, args: readonly unknown[], kwargs?: Record<string, unknown>): Tensor {
  return wrapValue(o.call(args, kwargs)) as Tensor;
}

/** Calls an operator that returns several tensors. */
export function callTs(o: AtenOp, args: readonly unknown[], kwargs?: Record<string, unknown>): Tensor[] {
  return wrapValue(o.call(args, kwargs)) as Tensor[];
}

/** Calls an in-place operator, dropping its (aliasing) result. */
export function callInPlace(o: AtenOp, args: readonly unknown[], kwargs?: Record<string, unknown>): void {
  o.call(args, kwargs, true);
}

function dimsOf(dims: number | number[] | undefined): number[] | undefined {
  return dims === undefined ? undefined : typeof dims === "number" ? [dims] : dims;
}

export class Tensor implements Disposable {
  readonly handle: NativeTensorHandle;

  private constructor(handle: NativeTensorHandle) {
    this.handle = handle;
  }

  /** Wraps a native handle and registers it with the current memory scope. */
  static fromHandle(handle: NativeTensorHandle): Tensor {
    return track(new Tensor(handle));
  }

  /**
   * A tensor from a typed array. copy=false shares the array's memory (writes on either side are
   * seen by the other; the array is kept alive as long as the tensor).
   */
  static fromArray(
    data: AnyTypedArray,
    shape: readonly number[],
    opts: { dtype?: Dtype; copy?: boolean } = {},
  ): Tensor {
    const dtype = opts.dtype ?? dtypeOfArray(data);
    return Tensor.fromHandle(native.fromBuffer(data, [...shape], dtype, opts.copy ?? true));
  }

  get shape(): number[] {
    return this.handle.shape;
  }
  get dtype(): Dtype {
    return this.handle.dtype as Dtype;
  }
  get device(): string {
    return this.handle.device;
  }
  get numel(): number {
    return this.handle.numel;
  }
  get ndim(): number {
    return this.handle.shape.length;
  }
  get isDisposed(): boolean {
    return this.handle.disposed;
  }
  get requiresGrad(): boolean {
    return this.handle.requiresGrad;
  }
  set requiresGrad(v: boolean) {
    this.handle.requiresGrad = v;
  }
  get isLeaf(): boolean {
    return this.handle.isLeaf;
  }
  get gradFn(): string | null {
    return this.handle.gradFn;
  }
  /** The accumulated gradient (a new handle onto it each time), or null. */
  get grad(): Tensor | null {
    const g = this.handle.grad;
    return g === null ? null : Tensor.fromHandle(g);
  }
  set grad(g: Tensor | null) {
    this.handle.setGrad(g === null ? null : g.handle);
  }

  requiresGrad_(flag = true): this {
    this.handle.requiresGrad = flag;
    return this;
  }

  backward(grad?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    this.handle.backward(grad?.handle ?? null, opts.retainGraph ?? false, opts.createGraph ?? false);
  }

  dispose(): void {
    this.handle.dispose();
  }
  [Symbol.dispose](): void {
    this.handle.dispose();
  }

  /** A copy of the data, row-major. */
  toArray<D extends Dtype = Dtype>(): TypedArrayFor<D> {
    return this.handle.toArray() as TypedArrayFor<D>;
  }
  /** The data as a plain number array (for small tensors, tests and logs). */
  toList(): number[] {
    return Array.from(this.toArray() as ArrayLike<number | bigint>, Number);
  }
  /** A typed array over this tensor's own memory (CPU, contiguous); no copy. */
  sharedView<D extends Dtype = Dtype>(): TypedArrayFor<D> {
    return this.handle.sharedView() as TypedArrayFor<D>;
  }
  item(): number {
    return Number(this.handle.item());
  }
  sharesStorageWith(other: Tensor): boolean {
    return this.handle.storageId() === other.handle.storageId();
  }
  toString(): string {
    return `Tensor(shape=[${this.shape}], dtype=${this.dtype}, device=${this.device})`;
  }

  // Arithmetic (broadcasting, as PyTorch).
  add(o: TensorOrScalar, alpha = 1): Tensor {
    return o instanceof Tensor ? callT(op.add, [this, o], { alpha }) : callT(op.addS, [this, o, alpha]);
  }
  sub(o: TensorOrScalar, alpha = 1): Tensor {
    return o instanceof Tensor ? callT(op.sub, [this, o], { alpha }) : callT(op.subS, [this, o, alpha]);
  }
  mul(o: TensorOrScalar): Tensor {
    return o instanceof Tensor ? callT(op.mul, [this, o]) : callT(op.mulS, [this, o]);
  }
  div(o: TensorOrScalar): Tensor {
    return o instanceof Tensor ? callT(op.div, [this, o]) : callT(op.divS, [this, o]);
  }
  pow(o: TensorOrScalar): Tensor {
    return o instanceof Tensor ? callT(op.pow, [this, o]) : callT(op.powS, [this, o]);
  }
  neg(): Tensor {
    return callT(op.neg, [this]);
  }
  exp(): Tensor {
    return callT(op.exp, [this]);
  }
  log(): Tensor {
    return callT(op.log, [this]);
  }
  sqrt(): Tensor {
    return callT(op.sqrt, [this]);
  }
  abs(): Tensor {
    return callT(op.abs, [this]);
  }
  sigmoid(): Tensor {
    return callT(op.sigmoid, [this]);
  }
  tanh(): Tensor {
    return callT(op.tanh, [this]);
  }
  relu(): Tensor {
    return callT(op.relu, [this]);
  }
  floor(): Tensor {
    return callT(op.floor, [this]);
  }
  round(): Tensor {
    return callT(op.round, [this]);
  }
  clamp(min?: number, max?: number): Tensor {
    return callT(op.clamp, [this, min ?? null, max ?? null]);
  }
  matmul(o: Tensor): Tensor {
    return callT(op.matmul, [this, o]);
  }

  // Comparisons and logic; results are bool tensors.
  eq(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.eq : op.eqS, [this, o]);
  }
  ne(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.ne : op.neS, [this, o]);
  }
  lt(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.lt : op.ltS, [this, o]);
  }
  le(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.le : op.leS, [this, o]);
  }
  gt(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.gt : op.gtS, [this, o]);
  }
  ge(o: TensorOrScalar): Tensor {
    return callT(o instanceof Tensor ? op.ge : op.geS, [this, o]);
  }
  logicalAnd(o: Tensor): Tensor {
    return callT(op.logicalAnd, [this, o]);
  }
  logicalOr(o: Tensor): Tensor {
    return callT(op.logicalOr, [this, o]);
  }
  logicalNot(): Tensor {
    return callT(op.logicalNot, [this]);
  }
  isfinite(): Tensor {
    return callT(op.isfinite, [this]);
  }
  all(): Tensor {
    return callT(op.allAll, [this]);
  }
  any(): Tensor {
    return callT(op.anyAll, [this]);
  }
  /** where(cond, this, other): this where cond is true, other elsewhere. */
  where(cond: Tensor, other: Tensor): Tensor {
    return callT(op.where, [cond, this, other]);
  }

  // Reductions; `dims` undefined reduces everything.
  sum(dims?: number | number[], keepdim = false, dtype?: Dtype): Tensor {
    return dims === undefined
      ? callT(op.sumAll, [this], { dtype })
      : callT(op.sumDim, [this, dimsOf(dims), keepdim], { dtype });
  }
  mean(dims?: number | number[], keepdim = false): Tensor {
    return dims === undefined ? callT(op.meanAll, [this]) : callT(op.meanDim, [this, dimsOf(dims), keepdim]);
  }
  max(dims?: number | number[], keepdim = false): Tensor {
    return dims === undefined ? callT(op.maxAll, [this]) : callT(op.amax, [this, dimsOf(dims), keepdim]);
  }
  min(dims?: number | number[], keepdim = false): Tensor {
    return dims === undefined ? callT(op.minAll, [this]) : callT(op.amin, [this, dimsOf(dims), keepdim]);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return callT(op.argmax, [this, dim ?? null, keepdim]);
  }
  /** The L2 norm over all elements (or `ord`). */
  norm(ord = 2): Tensor {
    return callT(op.norm, [this, ord]);
  }

  // Shape and layout.
  reshape(shape: readonly number[]): Tensor {
    return callT(op.reshape, [this, shape]);
  }
  view(shape: readonly number[]): Tensor {
    return callT(op.view, [this, shape]);
  }
  permute(dims: readonly number[]): Tensor {
    return callT(op.permute, [this, dims]);
  }
  transpose(d0: number, d1: number): Tensor {
    return callT(op.transpose, [this, d0, d1]);
  }
  flatten(start = 0, end = -1): Tensor {
    return callT(op.flatten, [this, start, end]);
  }
  squeeze(dim?: number): Tensor {
    return dim === undefined ? callT(op.squeeze, [this]) : callT(op.squeezeDim, [this, dim]);
  }
  unsqueeze(dim: number): Tensor {
    return callT(op.unsqueeze, [this, dim]);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return callT(op.narrow, [this, dim, start, length]);
  }
  /** Elements start..end (exclusive) with step along dim, as Python's t[..., start:end:step]. */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return callT(op.slice, [this, dim, start ?? null, end ?? null, step]);
  }
  select(dim: number, index: number): Tensor {
    return callT(op.select, [this, dim, index]);
  }
  expand(shape: readonly number[]): Tensor {
    return callT(op.expand, [this, shape]);
  }
  flip(dims: readonly number[]): Tensor {
    return callT(op.flip, [this, dims]);
  }
  contiguous(): Tensor {
    return callT(op.contiguous, [this]);
  }
  clone(): Tensor {
    return callT(op.clone, [this]);
  }
  /** Shares data, leaves the autograd graph. */
  detach(): Tensor {
    return callT(op.detach, [this]);
  }
  /** Converts dtype and/or moves to a device; always returns a new tensor handle. */
  to(target: { dtype?: Dtype; device?: string }): Tensor {
    if (target.device !== undefined) {
      return callT(op.toDevice, [this, target.device, target.dtype ?? this.dtype]);
    }
    return callT(op.toDtype, [this, target.dtype ?? this.dtype]);
  }

  // In-place updates (no new tensor); they return this for chaining.
  add_(o: TensorOrScalar, alpha = 1): this {
    if (o instanceof Tensor) callInPlace(op.add_, [this, o], { alpha });
    else callInPlace(op.addS_, [this, o, alpha]);
    return this;
  }
  mul_(o: TensorOrScalar): this {
    callInPlace(o instanceof Tensor ? op.mul_ : op.mulS_, [this, o]);
    return this;
  }
  div_(o: Tensor): this {
    callInPlace(op.div_, [this, o]);
    return this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    callInPlace(op.addcmul_, [this, t1, t2], { value });
    return this;
  }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    callInPlace(op.addcdiv_, [this, t1, t2], { value });
    return this;
  }
  copy_(src: Tensor): this {
    callInPlace(op.copy_, [this, src]);
    return this;
  }
  zero_(): this {
    callInPlace(op.zero_, [this]);
    return this;
  }
  fill_(value: number): this {
    callInPlace(op.fillS_, [this, value]);
    return this;
  }
  clamp_(min?: number, max?: number): this {
    callInPlace(op.clampS_, [this, min ?? null, max ?? null]);
    return this;
  }
  sqrt_(): this {
    callInPlace(op.sqrt_, [this]);
    return this;
  }
  lerp_(end: Tensor, weight: number): this {
    callInPlace(op.lerp_, [this, end, weight]);
    return this;
  }
}
