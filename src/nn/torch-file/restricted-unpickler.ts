// The pickle inside a torch.save file, read by a restricted machine that knows only what a state
// dict is made of: dicts (plain or OrderedDict), tuples, lists, numbers, strings, and tensors
// rebuilt from storages (torch._utils._rebuild_tensor_v2 over a persistent storage id). Any other
// global or opcode is refused by name: a .pt file cannot run code here, unlike Python's pickle.
// (libtorch 1.13's own unpickler cannot read the OrderedDict that model.state_dict() returns.)

/** A tensor as the pickle describes it: which storage, where in it, and its shape and strides. */
export interface TensorRef {
  kind: "tensor";
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export interface StorageRef {
  kind: "storage";
  /** torch's storage class name, e.g. FloatStorage. */
  type: string;
  /** The zip record data/<key>. */
  key: string;
}

type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Value[]
  | { kind: "tuple"; items: Value[] }
  | { kind: "global"; name: string }
  | { kind: "mark" }
  | Map<string, Value>
  | TensorRef
  | StorageRef;

const MARK: Value = { kind: "mark" };

/** The globals a state dict uses, by "module.name". */
const ALLOWED = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  // libtorch's own pickler (torch::pickle_save) tags a dict with its type: the dict itself.
  "torch.jit._pickle.restore_type_tag",
]);
const STORAGE = /^torch\.(Float|Double|Half|BFloat16|Long|Int|Short|Char|Byte|Bool)Storage$/;

const items = (v: Value): Value[] => {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === "object" && "kind" in v && v.kind === "tuple") return v.items;
  throw new Error(`expected a tuple, got ${describe(v)}`);
};

function describe(v: Value): string {
  if (v === null) return "None";
  if (v instanceof Map) return "a dict";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return v.kind === "global" ? `global ${v.name}` : `a ${v.kind}`;
  return typeof v;
}

function call(fn: Value, args: Value[]): Value {
  if (fn === null || typeof fn !== "object" || !("kind" in fn) || fn.kind !== "global")
    throw new Error(`cannot call ${describe(fn)}`);
  switch (fn.name) {
    case "collections.OrderedDict":
      if (args.length !== 0) throw new Error("OrderedDict with arguments");
      return new Map();
    case "torch._utils._rebuild_tensor_v2": {
      const [storage, offset, size, stride] = args;
      if (
        storage === null ||
        typeof storage !== "object" ||
        !("kind" in storage) ||
        storage.kind !== "storage"
      )
        throw new Error(`_rebuild_tensor_v2 on ${describe(storage!)}`);
      return {
        kind: "tensor",
        storage,
        offset: Number(offset),
        shape: items(size!).map(Number),
        stride: items(stride!).map(Number),
      };
    }
    case "torch._utils._rebuild_parameter":
    case "torch.jit._pickle.restore_type_tag":
      return args[0]!;
  }
  throw new Error(`cannot call global ${fn.name}`);
}

/** Runs the pickle; returns its top object (a state dict: a Map of name to TensorRef). */
export function unpickleStateDict(bytes: Uint8Array, source: string): Map<string, Value> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why} (byte ${at})`);
  };
  const u8 = () => (at < bytes.length ? bytes[at++]! : fail("the pickle ends early"));
  const u32 = () => {
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail("unterminated line");
    const s = text.decode(bytes.subarray(at, end));
    at = end + 1;
    return s;
  };
  const pop = () => (stack.length > 0 ? stack.pop()! : fail("stack underflow"));
  const popMark = (): Value[] => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) fail("no mark");
    const out = stack.splice(m);
    out.shift();
    return out;
  };
  const top = () => stack[stack.length - 1] ?? fail("empty stack");
  const dict = (v: Value) => (v instanceof Map ? v : fail(`items set on ${describe(v)}`));
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unknown pickle protocol");
        break;
      case 0x63: {
        // GLOBAL
        const name = `${line()}.${line()}`;
        if (!ALLOWED.has(name) && !STORAGE.test(name)) fail(`refused global ${name}`);
        stack.push({ kind: "global", name });
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        stack.push(memo.has(key) ? memo.get(key)! : fail(`memo ${key} unset`));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: "tuple", items: [] });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x58: {
        // BINUNICODE
        const n = u32();
        stack.push(text.decode(bytes.subarray(at, at + n)));
        at += n;
        break;
      }
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(at, true));
        at += 2;
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(at, true));
        at += 4;
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
        if (n > 0 && bytes[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        at += n;
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x74: // TUPLE
        stack.push({ kind: "tuple", items: popMark() });
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const n = op - 0x84;
        stack.push({ kind: "tuple", items: stack.splice(stack.length - n, n) });
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, items(args)));
        break;
      }
      case 0x62: // BUILD: a state dict's _metadata, or a tensor's state: not needed
        pop();
        break;
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dict(top()).set(String(k), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        const d = dict(top());
        for (let i = 0; i + 1 < kv.length; i += 2) d.set(String(kv[i]), kv[i + 1]!);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) fail("append to a non-list");
        (l as Value[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const vs = popMark();
        const l = top();
        if (!Array.isArray(l)) fail("appends to a non-list");
        (l as Value[]).push(...vs);
        break;
      }
      case 0x51: {
        // BINPERSID: ('storage', StorageClass, key, location, numel)
        const id = items(pop());
        const cls = id[1];
        if (
          id[0] !== "storage" ||
          cls === null ||
          typeof cls !== "object" ||
          !("kind" in cls) ||
          cls.kind !== "global"
        )
          fail("a persistent id that is not a storage");
        stack.push({
          kind: "storage",
          type: (cls as { name: string }).name.slice("torch.".length),
          key: String(id[2]),
        });
        break;
      }
      case 0x2e: {
        // STOP
        const result = pop();
        if (!(result instanceof Map)) fail(`the file holds ${describe(result)}, not a state dict`);
        return result as Map<string, Value>;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}
