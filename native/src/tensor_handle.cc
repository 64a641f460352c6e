// The JS-visible handle that owns one at::Tensor reference; dispose() drops it at once, the GC
// finalizer drops it otherwise.
#include "common.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/autograd/function.h>

#include <cstring>

namespace segviz {

std::atomic<int64_t> g_liveHandles{0};

namespace {
// Distinguishes our handles from any other object cheaply (napi type tags).
const napi_type_tag kTensorTag = {0x5e6a17c0ffee1234ULL, 0x7e5a0b17d1ce9876ULL};

struct AddonData {
  Napi::FunctionReference tensorCtor;
};
}  // namespace

Napi::Function TensorHandle::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "TensorHandle",
      {
          InstanceAccessor<&TensorHandle::Shape>("shape"),
          InstanceAccessor<&TensorHandle::Strides>("strides"),
          InstanceAccessor<&TensorHandle::Dtype>("dtype"),
          InstanceAccessor<&TensorHandle::Device>("device"),
          InstanceAccessor<&TensorHandle::Numel>("numel"),
          InstanceAccessor<&TensorHandle::IsDisposed>("disposed"),
          InstanceAccessor<&TensorHandle::GetRequiresGrad, &TensorHandle::SetRequiresGrad>("requiresGrad"),
          InstanceAccessor<&TensorHandle::IsLeaf>("isLeaf"),
          InstanceAccessor<&TensorHandle::GradFn>("gradFn"),
          InstanceAccessor<&TensorHandle::GetGrad>("grad"),
          InstanceMethod<&TensorHandle::SetGrad>("setGrad"),
          InstanceMethod<&TensorHandle::Backward>("backward"),
          InstanceMethod<&TensorHandle::Dispose>("dispose"),
          InstanceMethod<&TensorHandle::ToArray>("toArray"),
          InstanceMethod<&TensorHandle::SharedView>("sharedView"),
          InstanceMethod<&TensorHandle::Item>("item"),
          InstanceMethod<&TensorHandle::StorageId>("storageId"),
      });
  auto* data = new AddonData();
  data->tensorCtor = Napi::Persistent(ctor);
  env.SetInstanceData<AddonData>(data);
  return ctor;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  napi_type_tag_object(info.Env(), info.This(), &kTensorTag);
}

TensorHandle::~TensorHandle() {
  if (tensor.defined()) --g_liveHandles;
}

Napi::Object TensorHandle::Wrap(Napi::Env env, at::Tensor t) {
  auto* data = env.GetInstanceData<AddonData>();
  Napi::Object obj = data->tensorCtor.New({});
  TensorHandle* h = TensorHandle::Unwrap(obj);
  h->tensor = std::move(t);
  if (h->tensor.defined()) ++g_liveHandles;
  return obj;
}

bool TensorHandle::Is(Napi::Env env, Napi::Value v) {
  if (!v.IsObject()) return false;
  bool tagged = false;
  napi_check_object_type_tag(env, v, &kTensorTag, &tagged);
  return tagged;
}

const at::Tensor& TensorHandle::Get(Napi::Env env, Napi::Value v, const std::string& what) {
  if (!Is(env, v)) throw Napi::TypeError::New(env, what + ": expected a tensor");
  TensorHandle* h = TensorHandle::Unwrap(v.As<Napi::Object>());
  if (h->disposed) throw Napi::Error::New(env, what + ": tensor was already disposed");
  return h->tensor;
}

#define SELF_TENSOR()                                                                   \
  if (disposed || !tensor.defined()) throw Napi::Error::New(info.Env(), "tensor was already disposed"); \
  const at::Tensor& t = tensor

Napi::Value TensorHandle::Shape(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  auto sizes = t.sizes();
  Napi::Array out = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return out;
}

Napi::Value TensorHandle::Strides(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  auto strides = t.strides();
  Napi::Array out = Napi::Array::New(info.Env(), strides.size());
  for (size_t i = 0; i < strides.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), static_cast<double>(strides[i])));
  return out;
}

Napi::Value TensorHandle::Dtype(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Napi::String::New(info.Env(), DtypeName(t.scalar_type()));
}

Napi::Value TensorHandle::Device(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Napi::String::New(info.Env(), t.device().str());
}

Napi::Value TensorHandle::Numel(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel()));
}

Napi::Value TensorHandle::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed);
}

Napi::Value TensorHandle::GetRequiresGrad(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Napi::Boolean::New(info.Env(), t.requires_grad());
}

void TensorHandle::SetRequiresGrad(const Napi::CallbackInfo& info, const Napi::Value& v) {
  SELF_TENSOR();
  Guarded(info.Env(), [&] {
    const_cast<at::Tensor&>(t).requires_grad_(v.ToBoolean().Value());
    return 0;
  });
}

Napi::Value TensorHandle::IsLeaf(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Napi::Boolean::New(info.Env(), t.is_leaf());
}

Napi::Value TensorHandle::GradFn(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  const auto& fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

Napi::Value TensorHandle::GetGrad(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  const at::Tensor& g = t.grad();
  if (!g.defined()) return info.Env().Null();
  return TensorHandle::Wrap(info.Env(), g);
}

// setGrad(null) clears the gradient (as `p.grad = None`), setGrad(t) replaces it.
Napi::Value TensorHandle::SetGrad(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Guarded(info.Env(), [&]() -> Napi::Value {
    at::Tensor& mt = const_cast<at::Tensor&>(t);
    if (info.Length() == 0 || info[0].IsNull() || info[0].IsUndefined()) {
      mt.mutable_grad() = at::Tensor();
    } else {
      mt.mutable_grad() = TensorHandle::Get(info.Env(), info[0], "setGrad(grad)");
    }
    return info.Env().Undefined();
  });
}

// backward(grad?, retainGraph?, createGraph?)
Napi::Value TensorHandle::Backward(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Guarded(info.Env(), [&]() -> Napi::Value {
    at::Tensor grad;
    if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) {
      grad = TensorHandle::Get(info.Env(), info[0], "backward(grad)");
    }
    bool retain = info.Length() > 1 && info[1].ToBoolean().Value();
    bool create = info.Length() > 2 && info[2].ToBoolean().Value();
    torch::autograd::backward({t}, grad.defined() ? torch::autograd::variable_list{grad} : torch::autograd::variable_list{},
                              retain, create);
    return info.Env().Undefined();
  });
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  if (!disposed) {
    disposed = true;
    if (tensor.defined()) --g_liveHandles;
    tensor = at::Tensor();
  }
  return info.Env().Undefined();
}

namespace {
Napi::Value TypedArrayFor(Napi::Env env, at::ScalarType st, Napi::ArrayBuffer buf, size_t count) {
  switch (st) {
    case at::kFloat: return Napi::Float32Array::New(env, count, buf, 0);
    case at::kDouble: return Napi::Float64Array::New(env, count, buf, 0);
    case at::kLong: return Napi::BigInt64Array::New(env, count, buf, 0);
    case at::kInt: return Napi::Int32Array::New(env, count, buf, 0);
    case at::kShort: return Napi::Int16Array::New(env, count, buf, 0);
    case at::kChar: return Napi::Int8Array::New(env, count, buf, 0);
    case at::kByte:
    case at::kBool: return Napi::Uint8Array::New(env, count, buf, 0);
    case at::kHalf:
    case at::kBFloat16: return Napi::Uint16Array::New(env, count, buf, 0);
    default: throw Napi::TypeError::New(env, "no typed array for dtype " + DtypeName(st));
  }
}
}  // namespace

// A copy of the data in a fresh JS typed array (row-major, contiguous, on the CPU).
Napi::Value TensorHandle::ToArray(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Guarded(info.Env(), [&]() -> Napi::Value {
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    size_t bytes = c.numel() * c.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), bytes);
    if (bytes) std::memcpy(buf.Data(), c.data_ptr(), bytes);
    return TypedArrayFor(info.Env(), c.scalar_type(), buf, c.numel());
  });
}

// A typed array over the tensor's own memory (no copy); keeps the storage alive while JS holds it.
Napi::Value TensorHandle::SharedView(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Guarded(info.Env(), [&]() -> Napi::Value {
    if (!t.device().is_cpu()) throw Napi::Error::New(info.Env(), "sharedView: tensor is on " + t.device().str() + ", not cpu");
    if (!t.is_contiguous()) throw Napi::Error::New(info.Env(), "sharedView: tensor is not contiguous");
    size_t bytes = t.numel() * t.element_size();
    auto* keep = new at::Tensor(t.detach());
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(
        info.Env(), keep->data_ptr(), bytes, [](Napi::Env, void*, at::Tensor* k) { delete k; }, keep);
    return TypedArrayFor(info.Env(), t.scalar_type(), buf, t.numel());
  });
}

Napi::Value TensorHandle::Item(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  return Guarded(info.Env(), [&]() -> Napi::Value {
    if (t.numel() != 1) throw Napi::Error::New(info.Env(), "item: tensor has " + std::to_string(t.numel()) + " elements, not 1");
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    return Napi::Number::New(info.Env(), s.toDouble());
  });
}

// Identifies the underlying storage, so tests can tell views from copies.
Napi::Value TensorHandle::StorageId(const Napi::CallbackInfo& info) {
  SELF_TENSOR();
  auto p = reinterpret_cast<uintptr_t>(t.storage().unsafeGetStorageImpl());
  return Napi::String::New(info.Env(), std::to_string(p));
}

}  // namespace segviz
