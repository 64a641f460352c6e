// A separate, libtorch-free addon: sets glibc malloc's thresholds for a process that moves
// model-sized messages (the coordinator and the sites). glibc serves every allocation above its
// mmap threshold (128 KiB at first, raised only when such a block is freed) with a fresh mapping
// that the kernel must fault in page by page, and gives freed heap back to the system above its
// trim threshold; so each round's gRPC messages and payload buffers land on new pages until the
// thresholds have crept up. Setting them at start gives the first round the heap later rounds get.
// This is what GLIBC_TUNABLES=glibc.malloc.mmap_threshold=...:glibc.malloc.trim_threshold=...
// would do, without having to set the variable before Node starts.
#include <limits.h>
#include <node_api.h>
#include <stdbool.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Fail(napi_env env, const char* message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// setMallocThresholds(mmapThresholdBytes, trimThresholdBytes) -> true if glibc took both, false
// where the C library is not glibc (nothing is changed there).
static napi_value SetMallocThresholds(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2)
    return Fail(env, "setMallocThresholds(mmapThresholdBytes, trimThresholdBytes): two numbers expected");
  int64_t mmap_threshold = 0;
  int64_t trim_threshold = 0;
  if (napi_get_value_int64(env, argv[0], &mmap_threshold) != napi_ok ||
      napi_get_value_int64(env, argv[1], &trim_threshold) != napi_ok)
    return Fail(env, "setMallocThresholds: mmapThresholdBytes and trimThresholdBytes must be numbers");
  if (mmap_threshold <= 0 || mmap_threshold > INT_MAX || trim_threshold <= 0 || trim_threshold > INT_MAX)
    return Fail(env, "setMallocThresholds: a threshold is out of range");
  bool ok = false;
#if defined(__GLIBC__)
  // mallopt returns 1 on success; glibc refuses an mmap threshold above 32 MiB on 64-bit.
  ok = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "setMallocThresholds", NAPI_AUTO_LENGTH, SetMallocThresholds, NULL, &fn);
  napi_set_named_property(env, exports, "setMallocThresholds", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
