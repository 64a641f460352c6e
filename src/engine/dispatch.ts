// Calls ATen operators by schema name through the addon's generic dispatcher bridge.
import { type NativeTensorHandle, type NativeValue, native } from "./native.js";

interface HasHandle {
  readonly handle: NativeTensorHandle;
}

export interface AtenOp {
  readonly name: string;
  /** Calls the operator; Tensor arguments (and arrays of them) are passed by handle. */
  call(args: readonly unknown[], kwargs?: Record<string, unknown>, discard?: boolean): NativeValue;
}

function isHasHandle(v: unknown): v is HasHandle {
  return typeof v === "object" && v !== null && "handle" in v;
}

function toNative(v: unknown): unknown {
  if (isHasHandle(v)) return v.handle;
  if (Array.isArray(v) && v.length > 0 && v.some(isHasHandle))
    return v.map((e) => (isHasHandle(e) ? e.handle : e));
  return v;
}

/** An operator resolved on first use, e.g. `atenOp("aten::add", "Tensor")`. */
export function atenOp(name: string, overload = ""): AtenOp {
  let id = -1;
  const full = overload ? `${name}.${overload}` : name;
  return {
    name: full,
    call(args, kwargs, discard) {
      if (id < 0) id = native.resolveOp(name, overload);
      const nargs = args.map(toNative);
      let nkw: Record<string, unknown> | undefined;
      if (kwargs) {
        nkw = {};
        for (const [k, v] of Object.entries(kwargs)) if (v !== undefined) nkw[k] = toNative(v);
      }
      return native.callOp(id, nargs, nkw, discard);
    },
  };
}
