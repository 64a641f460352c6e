// Module entry of the libtorch addon.
#include "common.h"

namespace segviz {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TensorHandle", TensorHandle::Define(env));
  InitRuntime(env, exports);
  InitOpCall(env, exports);
  InitCachingAllocator(env, exports);
  InitSerialize(env, exports);
  InitAutocast(env, exports);
  return exports;
}

NODE_API_MODULE(segviz_torch, Init)

}  // namespace segviz
