// Process-wide runtime controls (threads, seed, grad mode, devices) and tensor creation from JS memory.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

namespace segviz {

namespace {

// Per JS environment (main thread and each worker thread): memory that backs a copy-free tensor
// is released on that environment's own thread. Never freed: a deleter may outlive its worker.
struct EnvState {
  std::thread::id thread;
  std::mutex mutex;
  std::vector<napi_ref> deferred;
  std::atomic<bool> hasDeferred{false};
};

EnvState* StateOf(napi_env env) {
  // Each environment runs on its own thread, so a per-thread cache spares the lock on hot paths.
  thread_local napi_env cachedEnv = nullptr;
  thread_local EnvState* cachedState = nullptr;
  if (cachedEnv == env) return cachedState;
  static std::mutex m;
  static std::vector<std::pair<napi_env, EnvState*>> states;
  std::lock_guard<std::mutex> lock(m);
  EnvState* found = nullptr;
  for (auto& [e, s] : states) {
    if (e == env) found = s;
  }
  if (!found) {
    found = new EnvState();
    found->thread = std::this_thread::get_id();
    states.emplace_back(env, found);
  }
  cachedEnv = env;
  cachedState = found;
  return found;
}

size_t ElementSize(at::ScalarType st) { return c10::elementSize(st); }

// fromBuffer(typedArray, shape, dtype, copy): a tensor over (copy=false) or copied from JS memory.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DrainDeferredReleases(env);
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "fromBuffer: expected a typed array");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  Napi::Array shapeJs = info[1].As<Napi::Array>();
  at::ScalarType st = ParseDtype(env, info[2].As<Napi::String>().Utf8Value());
  bool copy = info.Length() < 4 || info[3].ToBoolean().Value();
  std::vector<int64_t> shape(shapeJs.Length());
  int64_t numel = 1;
  for (uint32_t i = 0; i < shapeJs.Length(); ++i) {
    double d = shapeJs.Get(i).As<Napi::Number>().DoubleValue();
    if (d < 0 || std::floor(d) != d) throw Napi::RangeError::New(env, "fromBuffer: bad shape entry " + std::to_string(d));
    shape[i] = static_cast<int64_t>(d);
    numel *= shape[i];
  }
  size_t bytes = static_cast<size_t>(numel) * ElementSize(st);
  if (ta.ByteLength() != bytes) {
    throw Napi::RangeError::New(env, "fromBuffer: " + std::to_string(ta.ByteLength()) + " bytes given, shape and dtype need " +
                                         std::to_string(bytes));
  }
  uint8_t* src = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return Guarded(env, [&]() -> Napi::Value {
    auto opts = at::TensorOptions().dtype(st);
    if (copy) {
      at::Tensor t = at::empty(shape, opts);
      if (bytes) std::memcpy(t.data_ptr(), src, bytes);
      return TensorHandle::Wrap(env, t);
    }
    if (reinterpret_cast<uintptr_t>(src) % ElementSize(st) != 0) {
      throw Napi::Error::New(env, "fromBuffer: typed array is not aligned for " + DtypeName(st));
    }
    napi_ref ref;
    napi_create_reference(env, ta, 1, &ref);
    napi_env rawEnv = env;
    EnvState* state = StateOf(env);
    at::Tensor t = at::from_blob(
        src, shape,
        [rawEnv, state, ref](void*) {
          if (std::this_thread::get_id() == state->thread) {
            napi_delete_reference(rawEnv, ref);
          } else {
            std::lock_guard<std::mutex> lock(state->mutex);
            state->deferred.push_back(ref);
            state->hasDeferred = true;
          }
        },
        opts);
    return TensorHandle::Wrap(env, t);
  });
}

// ATen keeps the thread count in one process-wide value but applies it to each thread lazily, on
// that thread's first parallel op. A thread that set 2 and had not run an op yet would take
// whatever another thread set since (a patch worker's 1), and train on one thread or two depending
// on what ran first. So the count is applied to the calling thread at once, under a lock that
// keeps another thread's call from landing in between.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: need at least 1 thread");
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  at::set_num_threads(n);
  // Runs this thread's lazy initialisation now, from the value just stored; later calls on other
  // threads no longer reach this one.
  at::get_num_threads();
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  double seed = info[0].As<Napi::Number>().DoubleValue();
  if (seed < 0 || std::floor(seed) != seed) throw Napi::RangeError::New(info.Env(), "manualSeed: need a non-negative integer");
  Guarded(info.Env(), [&] {
    at::manual_seed(static_cast<uint64_t>(seed));
    return 0;
  });
  return info.Env().Undefined();
}

// setGradEnabled(flag) -> previous flag; the TS layer restores it in a finally block.
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? static_cast<double>(at::getNumGPUs()) : 0);
}

Napi::Value LiveHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_liveHandles.load()));
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  o.Set("config", Napi::String::New(env, at::show_config()));
  o.Set("parallel", Napi::String::New(env, at::get_parallel_info()));
  o.Set("mkldnn", Napi::Boolean::New(env, at::hasMKLDNN()));
  o.Set("cuda", Napi::Boolean::New(env, at::hasCUDA()));
  o.Set("deterministicAlgorithms", Napi::Boolean::New(env, at::globalContext().deterministicAlgorithms()));
  return o;
}

}  // namespace

void DrainDeferredReleases(napi_env env) {
  EnvState* state = StateOf(env);
  if (!state->hasDeferred.load(std::memory_order_relaxed)) return;
  std::vector<napi_ref> refs;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    refs.swap(state->deferred);
    state->hasDeferred = false;
  }
  for (napi_ref r : refs) napi_delete_reference(env, r);
}

void InitRuntime(Napi::Env env, Napi::Object exports) {
  StateOf(env);
  // Same inputs, same outputs: ATen picks its deterministic kernels where it has them (on a CPU,
  // index_put_ with accumulation; on CUDA, cuDNN's deterministic convolutions), and only warns,
  // once, for the few ops that have none (docs/architecture.md, "Determinism").
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  at::globalContext().setDeterministicCuDNN(true);
  at::globalContext().setBenchmarkCuDNN(false);
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("liveHandles", Napi::Function::New(env, LiveHandles));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo));
}

}  // namespace segviz
