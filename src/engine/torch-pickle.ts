// PyTorch's own state-dict files, written by libtorch's pickler (the code torch.save runs), so
// torch.load reads them. Reading them is src/nn/torch-file/ (libtorch 1.13 cannot read the
// OrderedDict that model.state_dict() returns).
import { native } from "./native.js";
import type { Tensor } from "./tensor.js";

/** The bytes torch.save(state_dict) writes (a plain dict); torch.load reads them back. */
export function torchSaveStateDict(state: ReadonlyMap<string, Tensor>): Uint8Array {
  return native.pickleSave(
    [...state.keys()],
    [...state.values()].map((t) => t.handle),
  );
}
