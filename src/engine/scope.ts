// Deterministic memory: tensors hold native memory the JS garbage collector cannot see, so every
// tensor created inside `tidy(fn)` is freed when fn returns, except what fn returns or `keep`s.

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];
const kept = new WeakSet<Disposable>();

export function track<T extends Disposable>(t: T): T {
  const top = scopes[scopes.length - 1];
  if (top !== undefined && !kept.has(t)) top.add(t);
  return t;
}

/** Exempts t from every enclosing tidy; its owner must dispose it. */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  for (const s of scopes) s.delete(t);
  return t;
}

function collectReturned(value: unknown, out: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Disposable).dispose === "function" && "isDisposed" in (value as object)) {
    out.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectReturned(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectReturned(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectReturned(v, out, seen);
  }
}

/**
 * Runs fn in a memory scope. Tensors made inside and not returned (directly, or inside arrays,
 * Maps or plain objects) are disposed when it ends, also when fn throws. Returned tensors move
 * to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error("tidy: fn returned a Promise; async work cannot be scoped, dispose tensors explicitly");
  }
  const returned = new Set<Disposable>();
  collectReturned(result, returned, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (returned.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor found in value (a tensor, array, Map or plain object of them). */
export function disposeAll(value: unknown): void {
  const found = new Set<Disposable>();
  collectReturned(value, found, new Set());
  for (const t of found) t.dispose();
}
