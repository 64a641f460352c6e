// Autocast (automatic mixed precision) state of the calling thread, as torch.autocast sets it:
// while enabled, the dispatcher's Autocast keys run listed ops (convolutions, matmuls) in the
// lower precision and others in float32, with PyTorch's own op lists for this libtorch.
#include "common.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace segviz {

namespace {

bool IsCuda(Napi::Env env, const Napi::Value& v) {
  std::string device = v.As<Napi::String>().Utf8Value();
  if (device == "cpu") return false;
  if (device == "cuda") return true;
  throw Napi::Error::New(env, "autocast: device type must be 'cpu' or 'cuda', got '" + device + "'");
}

Napi::Object StateObject(Napi::Env env, bool enabled, at::ScalarType dtype) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", Napi::Boolean::New(env, enabled));
  o.Set("dtype", Napi::String::New(env, DtypeName(dtype)));
  return o;
}

// libtorch 2.4 replaced the per-device calls (is_cpu_enabled, set_autocast_gpu_dtype, ...) with
// ones that take the device type; the old ones are deprecated there and may go later.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool Enabled(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
at::ScalarType Dtype(bool cuda) { return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU); }
void SetState(bool cuda, bool enabled, at::ScalarType dtype) {
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
}
#else
bool Enabled(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
at::ScalarType Dtype(bool cuda) {
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void SetState(bool cuda, bool enabled, at::ScalarType dtype) {
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
}
#endif

// autocastState(deviceType) -> { enabled, dtype } of this thread.
Napi::Value AutocastState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool cuda = IsCuda(env, info[0]);
  return StateObject(env, Enabled(cuda), Dtype(cuda));
}

// setAutocastState(deviceType, enabled, dtype): what torch.autocast.__enter__/__exit__ set.
Napi::Value SetAutocastState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool cuda = IsCuda(env, info[0]);
  bool enabled = info[1].ToBoolean().Value();
  at::ScalarType dtype = ParseDtype(env, info[2].As<Napi::String>().Utf8Value());
  if (dtype != at::kBFloat16 && dtype != at::kHalf && dtype != at::kFloat) {
    throw Napi::Error::New(env, "autocast: dtype must be bfloat16, float16 or float32, got " + DtypeName(dtype));
  }
  SetState(cuda, enabled, dtype);
  return env.Undefined();
}

// Nesting depth of autocast regions on this thread; the cast cache (fp32 weights cast once per
// region) is cleared when the outermost region ends, as torch.autocast does.
Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::autocast::increment_nesting());
}

Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  int depth = at::autocast::decrement_nesting();
  if (depth == 0) at::autocast::clear_cache();
  return Napi::Number::New(info.Env(), depth);
}

}  // namespace

void InitAutocast(Napi::Env env, Napi::Object exports) {
  exports.Set("autocastState", Napi::Function::New(env, AutocastState));
  exports.Set("setAutocastState", Napi::Function::New(env, SetAutocastState));
  exports.Set("autocastEnter", Napi::Function::New(env, AutocastEnter));
  exports.Set("autocastExit", Napi::Function::New(env, AutocastExit));
}

}  // namespace segviz
