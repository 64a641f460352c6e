// One generic entry point to every ATen operator through c10's dispatcher (the path TorchScript
// takes), so autograd, oneDNN and CUDA kernels are the very ones PyTorch runs.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <deque>
#include <mutex>

namespace segviz {

namespace {

struct ResolvedOp {
  c10::OperatorHandle handle;
  std::string displayName;
};

// One table for the process, shared by the main thread and worker threads (each loads the
// addon): a deque keeps entries in place as it grows, and the mutex orders growth and lookups.
std::deque<ResolvedOp>& Ops() {
  static std::deque<ResolvedOp> ops;
  return ops;
}
std::mutex& OpsMutex() {
  static std::mutex m;
  return m;
}

const ResolvedOp* LookupOp(uint32_t id) {
  std::lock_guard<std::mutex> lock(OpsMutex());
  return id < Ops().size() ? &Ops()[id] : nullptr;
}

// resolveOp("aten::conv3d", "") -> id for callOp.
Napi::Value ResolveOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  auto op = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!op) {
    std::string known;
    for (const auto& n : c10::Dispatcher::singleton().getAllOpNames()) {
      if (n.name == name) known += " '" + n.overload_name + "'";
    }
    throw Napi::Error::New(env, "no operator " + name + (overload.empty() ? "" : "." + overload) +
                                    (known.empty() ? "" : "; overloads:" + known));
  }
  std::lock_guard<std::mutex> lock(OpsMutex());
  Ops().push_back({*op, name + (overload.empty() ? "" : "." + overload)});
  return Napi::Number::New(env, static_cast<double>(Ops().size() - 1));
}

// callOp(id, positionalArgs, kwargs?, discardResult?)
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DrainDeferredReleases(env);
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  const ResolvedOp* found = LookupOp(id);
  if (!found) throw Napi::RangeError::New(env, "callOp: unknown operator id");
  const ResolvedOp& op = *found;
  const c10::FunctionSchema& schema = op.handle.schema();
  const auto& params = schema.arguments();
  Napi::Array args = info[1].As<Napi::Array>();
  Napi::Object kwargs = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object();
  bool discard = info.Length() > 3 && info[3].ToBoolean().Value();
  uint32_t given = args.Length();
  if (given > params.size()) {
    throw Napi::TypeError::New(env, op.displayName + ": " + std::to_string(given) + " arguments given, schema takes " +
                                        std::to_string(params.size()));
  }
  return Guarded(env, [&]() -> Napi::Value {
    torch::jit::Stack stack;
    stack.reserve(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const c10::Argument& p = params[i];
      Napi::Value v = i < given ? args.Get(i) : env.Undefined();
      if (v.IsUndefined() && !kwargs.IsEmpty() && kwargs.Has(p.name())) v = kwargs.Get(p.name());
      if (v.IsUndefined()) {
        if (!p.default_value()) {
          throw Napi::TypeError::New(env, op.displayName + ": missing argument '" + p.name() + "'");
        }
        stack.push_back(*p.default_value());
      } else {
        stack.push_back(ToIValue(env, v, p, op.displayName));
      }
    }
    op.handle.callBoxed(stack);
    if (discard) return env.Undefined();
    if (stack.size() == 1) return FromIValue(env, stack[0]);
    Napi::Array out = Napi::Array::New(env, stack.size());
    for (size_t i = 0; i < stack.size(); ++i) out.Set(i, FromIValue(env, stack[i]));
    return out;
  });
}

// opSchemas("aten::conv3d") -> every overload's schema text, for discovery and error messages.
Napi::Value OpSchemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (const auto& opName : c10::Dispatcher::singleton().getAllOpNames()) {
    if (opName.name != name) continue;
    auto op = c10::Dispatcher::singleton().findSchema(opName);
    if (op) out.Set(n++, Napi::String::New(env, c10::toString(op->schema())));
  }
  return out;
}

}  // namespace

void InitOpCall(Napi::Env env, Napi::Object exports) {
  exports.Set("resolveOp", Napi::Function::New(env, ResolveOp));
  exports.Set("callOp", Napi::Function::New(env, CallOp));
  exports.Set("opSchemas", Napi::Function::New(env, OpSchemas));
}

}  // namespace segviz
