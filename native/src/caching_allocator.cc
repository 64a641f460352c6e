// A caching CPU allocator for libtorch. Tensors of a few MB come and go hundreds of times per
// training step; glibc serves each with a fresh mmap that the kernel must fault in and zero on
// every use (measured: ~30% of a 64^3 UNet step, and more at larger sizes). Freed blocks are
// kept in per-size free lists (sizes rounded up) and handed out again, as PyTorch's CUDA caching
// allocator does on the GPU. Small blocks go straight to the system allocator. The cache is
// bounded: a freed block that would push it past the limit is returned to the system.
// SEGVIZ_CPU_CACHE_MB sets the limit (0 disables the cache).
#include "common.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <torch/version.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

// libtorch 2.3 made allocate() non-const and added copy_data().
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define SEGVIZ_ALLOCATE_CONST
#define SEGVIZ_HAS_COPY_DATA 1
#else
#define SEGVIZ_ALLOCATE_CONST const
#define SEGVIZ_HAS_COPY_DATA 0
#endif

namespace segviz {

namespace {

constexpr size_t kMinCached = 256 * 1024;
constexpr size_t kAlignment = 64;

size_t RoundUp(size_t n) {
  const size_t step = n < (4u << 20) ? (64u << 10) : (1u << 20);
  return (n + step - 1) / step * step;
}

// oneDNN takes memory through raw_allocate, which needs the context to be the data pointer and
// a plain deleter; so the block sizes are looked up by pointer.
class CachingCpuAllocator final : public c10::Allocator {
 public:
  explicit CachingCpuAllocator(size_t limit) : limit_(limit) {}

  c10::DataPtr allocate(size_t n) SEGVIZ_ALLOCATE_CONST override {
    void* ptr = nullptr;
    if (n < kMinCached) {
      ptr = SystemAlloc(n == 0 ? 1 : n);
      return {ptr, ptr, &CachingCpuAllocator::Free, c10::Device(c10::DeviceType::CPU)};
    }
    const size_t size = RoundUp(n);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        ptr = it->second.back();
        it->second.pop_back();
        cached_ -= size;
        live_[ptr] = size;
      }
    }
    if (ptr == nullptr) {
      ptr = SystemAlloc(size);
      std::lock_guard<std::mutex> lock(mutex_);
      live_[ptr] = size;
    }
    return {ptr, ptr, &CachingCpuAllocator::Free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::Free; }

#if SEGVIZ_HAS_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif

  static void Free(void* ptr) { instance_->Release(ptr); }

  static CachingCpuAllocator* Instance() { return instance_; }
  static void SetInstance(CachingCpuAllocator* a) { instance_ = a; }

  void Release(void* ptr) const {
    if (ptr == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = live_.find(ptr);
      if (it != live_.end()) {
        const size_t size = it->second;
        live_.erase(it);
        if (cached_ + size <= limit_) {
          free_[size].push_back(ptr);
          cached_ += size;
          return;
        }
      }
    }
    std::free(ptr);
  }

  void ReleaseAll() const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, ptrs] : free_) {
      for (void* p : ptrs) std::free(p);
      ptrs.clear();
    }
    cached_ = 0;
  }

  size_t Cached() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }

 private:
  void* SystemAlloc(size_t size) const {
    void* ptr = nullptr;
    if (posix_memalign(&ptr, kAlignment, size) == 0) return ptr;
    // Out of memory: give the cache back to the system and try once more.
    ReleaseAll();
    if (posix_memalign(&ptr, kAlignment, size) == 0) return ptr;
    throw c10::Error({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                     "segviz: out of memory allocating " + std::to_string(size) + " bytes");
  }

  size_t limit_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable std::unordered_map<void*, size_t> live_;
  mutable size_t cached_ = 0;
  static CachingCpuAllocator* instance_;
};

CachingCpuAllocator* CachingCpuAllocator::instance_ = nullptr;

Napi::Value CachedBytes(const Napi::CallbackInfo& info) {
  auto* a = CachingCpuAllocator::Instance();
  return Napi::Number::New(info.Env(), a ? static_cast<double>(a->Cached()) : 0);
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  if (auto* a = CachingCpuAllocator::Instance()) a->ReleaseAll();
  return info.Env().Undefined();
}

}  // namespace

void InitCachingAllocator(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, [] {
    size_t limitMb = 4096;
    if (const char* v = std::getenv("SEGVIZ_CPU_CACHE_MB")) limitMb = std::strtoull(v, nullptr, 10);
    if (limitMb == 0) return;
    // Never freed: blocks handed out may be released at any time until the process ends.
    auto* a = new CachingCpuAllocator(limitMb << 20);
    CachingCpuAllocator::SetInstance(a);
    c10::SetAllocator(c10::DeviceType::CPU, a, /*priority=*/1);
  });
  exports.Set("cpuCacheBytes", Napi::Function::New(env, CachedBytes));
  exports.Set("emptyCpuCache", Napi::Function::New(env, EmptyCache));
}

}  // namespace segviz
