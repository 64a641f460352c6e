// PyTorch's own file format for state dicts: torch.save / torch.load's zip of pickles, through
// libtorch's pickler (the same code torch.load runs). A state dict is a dict of name -> tensor.
#include "common.h"

#include <torch/csrc/jit/serialization/pickle.h>

namespace segviz {

// pickleLoad(bytes): [[name, tensor], ...] from a torch.save'd dict of tensors (zip or legacy).
Napi::Value PickleLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "pickleLoad: expected the file's bytes");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  const char* src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return Guarded(env, [&]() -> Napi::Value {
    std::vector<char> bytes(src, src + ta.ByteLength());
    c10::IValue value = torch::jit::pickle_load(bytes);
    if (!value.isGenericDict())
      throw std::runtime_error("the file holds a " + value.tagKind() + ", not a dict of tensors (a state dict)");
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    for (const auto& entry : value.toGenericDict()) {
      if (!entry.key().isString()) throw std::runtime_error("a key of the dict is a " + entry.key().tagKind() + ", not a name");
      const std::string name = entry.key().toStringRef();
      if (!entry.value().isTensor())
        throw std::runtime_error("entry '" + name + "' is a " + entry.value().tagKind() + ", not a tensor");
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, Napi::String::New(env, name));
      pair.Set(1u, TensorHandle::Wrap(env, entry.value().toTensor().contiguous()));
      out.Set(n++, pair);
    }
    return out;
  });
}

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
  exports.Set("pickleLoad", Napi::Function::New(env, PickleLoad));
  exports.Set("pickleSave", Napi::Function::New(env, PickleSave));
}

}  // namespace segviz
