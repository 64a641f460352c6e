// Shared declarations of the addon: the tensor handle class, value conversion, and the per-env data.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>
#include <ATen/core/jit_type.h>
#include <ATen/core/function_schema.h>

#include <atomic>
#include <string>

namespace segviz {

// Every entry point runs its body through this, so a libtorch error (c10::Error) or any C++
// exception becomes a JS Error carrying libtorch's own message, and never aborts the process.
template <typename Fn>
auto Guarded(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, Napi::Value v);
  // The live tensor behind a JS handle; throws a TypeError naming `what` if v is not a live handle.
  static const at::Tensor& Get(Napi::Env env, Napi::Value v, const std::string& what);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  at::Tensor tensor;
  bool disposed = false;

 private:
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value GetRequiresGrad(const Napi::CallbackInfo& info);
  void SetRequiresGrad(const Napi::CallbackInfo& info, const Napi::Value& v);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value GradFn(const Napi::CallbackInfo& info);
  Napi::Value GetGrad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value ToArray(const Napi::CallbackInfo& info);
  Napi::Value SharedView(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value StorageId(const Napi::CallbackInfo& info);
};

// dtype names as the TypeScript layer spells them.
at::ScalarType ParseDtype(Napi::Env env, const std::string& name);
std::string DtypeName(at::ScalarType t);

c10::IValue ToIValue(Napi::Env env, Napi::Value v, const c10::Argument& arg, const std::string& opName);
Napi::Value FromIValue(Napi::Env env, const c10::IValue& v);

// Counts handles whose tensor is still held, so tests can prove scopes free what they should.
extern std::atomic<int64_t> g_liveHandles;

// JS memory that backs a copy-free tensor must be released on the JS thread.
void DrainDeferredReleases(napi_env env);

void InitRuntime(Napi::Env env, Napi::Object exports);
void InitOpCall(Napi::Env env, Napi::Object exports);
void InitCachingAllocator(Napi::Env env, Napi::Object exports);
void InitSerialize(Napi::Env env, Napi::Object exports);
void InitAutocast(Napi::Env env, Napi::Object exports);

}  // namespace segviz
