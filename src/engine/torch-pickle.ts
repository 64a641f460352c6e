// PyTorch's own state-dict files (torch.save / torch.load), read and written by libtorch's pickler,
// the code torch.load itself runs: no hand-written pickle parsing.
import { type NativeTensorHandle, native } from "./native.js";
import { Tensor } from "./tensor.js";

/**
 * The tensors of a torch.save'd dict of tensors (the caller owns and disposes them). libtorch 1.13
 * cannot read an OrderedDict (what model.state_dict() returns; fixed upstream in PyTorch PR
 * 139750): such a file is refused with how to re-save it.
 */
export function torchLoadStateDict(bytes: Uint8Array, source = "state dict"): Map<string, Tensor> {
  let pairs: [string, NativeTensorHandle][];
  try {
    pairs = native.pickleLoad(bytes);
  } catch (e) {
    const message = (e as Error).message;
    if (/Expected GenericDict but got None/.test(message))
      throw new Error(
        `${source}: an OrderedDict (torch.save(model.state_dict())), which this libtorch cannot read; save dict(model.state_dict()) or a safetensors file instead`,
      );
    throw new Error(`${source}: not a torch.save'd dict of tensors: ${message.split("\n")[0]}`);
  }
  return new Map(pairs.map(([name, handle]) => [name, Tensor.fromHandle(handle)]));
}

/** The bytes torch.save(state_dict) writes; torch.load reads them back. */
export function torchSaveStateDict(state: ReadonlyMap<string, Tensor>): Uint8Array {
  return native.pickleSave(
    [...state.keys()],
    [...state.values()].map((t) => t.handle),
  );
}
