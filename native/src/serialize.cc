// PyTorch's own file format for state dicts, written by libtorch's pickler (the code torch.save
// runs): a dict of name -> tensor that torch.load reads. Reading is done in TypeScript
// (src/nn/torch-file/): libtorch 1.13's unpickler cannot read model.state_dict()'s OrderedDict.
#include "common.h"

#include <torch/csrc/jit/serialization/pickle.h>

namespace segviz {

// pickleSave(names, tensors): the bytes torch.save writes for that dict (torch.load reads them).
Napi::Value PickleSave(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array names = info[0].As<Napi::Array>();
  Napi::Array tensors = info[1].As<Napi::Array>();
  if (names.Length() != tensors.Length()) throw Napi::RangeError::New(env, "pickleSave: as many names as tensors");
  c10::Dict<std::string, at::Tensor> dict;
  for (uint32_t i = 0; i < names.Length(); ++i)
    dict.insert(names.Get(i).As<Napi::String>().Utf8Value(), TensorHandle::Get(env, tensors.Get(i), "pickleSave tensor"));
  return Guarded(env, [&]() -> Napi::Value {
    std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
    return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
  });
}

void InitSerialize(Napi::Env env, Napi::Object exports) {
  exports.Set("pickleSave", Napi::Function::New(env, PickleSave));
}

}  // namespace segviz
