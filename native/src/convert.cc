// Conversion between JS values and libtorch IValues, driven by an operator's schema, so one
// generic entry point can call any ATen operator with checked arguments.
#include "common.h"

#include <cmath>

namespace segviz {

at::ScalarType ParseDtype(Napi::Env env, const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "float16") return at::kHalf;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "int16") return at::kShort;
  if (name == "int8") return at::kChar;
  if (name == "uint8") return at::kByte;
  if (name == "bool") return at::kBool;
  throw Napi::TypeError::New(env, "unknown dtype '" + name + "'");
}

std::string DtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

namespace {

[[noreturn]] void Fail(Napi::Env env, const std::string& op, const c10::Argument& arg, const std::string& why) {
  throw Napi::TypeError::New(env, op + ": argument '" + arg.name() + "' (" + arg.type()->str() + "): " + why);
}

int64_t ToInt(Napi::Env env, Napi::Value v, const std::string& op, const c10::Argument& arg) {
  if (v.IsBigInt()) {
    bool lossless = true;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) Fail(env, op, arg, "expected an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d) Fail(env, op, arg, "expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

double ToDouble(Napi::Env env, Napi::Value v, const std::string& op, const c10::Argument& arg) {
  if (!v.IsNumber()) Fail(env, op, arg, "expected a number");
  return v.As<Napi::Number>().DoubleValue();
}

c10::IValue ToIValueOfType(Napi::Env env, Napi::Value v, const c10::TypePtr& type, const c10::Argument& arg,
                           const std::string& op) {
  using c10::TypeKind;
  switch (type->kind()) {
    case TypeKind::OptionalType:
      if (v.IsUndefined() || v.IsNull()) return c10::IValue();
      return ToIValueOfType(env, v, type->containedType(0), arg, op);
    case TypeKind::TensorType:
      return c10::IValue(TensorHandle::Get(env, v, op + ": argument '" + arg.name() + "'"));
    case TypeKind::IntType:
    case TypeKind::SymIntType:
    case TypeKind::ScalarTypeType:
    case TypeKind::LayoutType:
    case TypeKind::MemoryFormatType:
      if (v.IsString()) {
        std::string s = v.As<Napi::String>().Utf8Value();
        if (s == "contiguous") return c10::IValue(static_cast<int64_t>(at::MemoryFormat::Contiguous));
        if (s == "preserve") return c10::IValue(static_cast<int64_t>(at::MemoryFormat::Preserve));
        if (s == "channels_last_3d") return c10::IValue(static_cast<int64_t>(at::MemoryFormat::ChannelsLast3d));
        if (s == "strided") return c10::IValue(static_cast<int64_t>(at::Layout::Strided));
        return c10::IValue(static_cast<int64_t>(ParseDtype(env, s)));
      }
      return c10::IValue(ToInt(env, v, op, arg));
    case TypeKind::FloatType:
      return c10::IValue(ToDouble(env, v, op, arg));
    case TypeKind::BoolType:
      if (!v.IsBoolean()) Fail(env, op, arg, "expected a boolean");
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case TypeKind::NumberType:
      // JS numbers carry no int/float distinction: integral values are passed as ints, as Python
      // would for `2`; callers that need a float result on an integer tensor cast first.
      if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
      if (v.IsBigInt()) return c10::IValue(ToInt(env, v, op, arg));
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
          return c10::IValue(static_cast<int64_t>(d));
        }
        return c10::IValue(d);
      }
      Fail(env, op, arg, "expected a number");
    case TypeKind::StringType:
      if (!v.IsString()) Fail(env, op, arg, "expected a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case TypeKind::DeviceObjType:
      if (!v.IsString()) Fail(env, op, arg, "expected a device name such as 'cpu' or 'cuda:0'");
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case TypeKind::ListType: {
      const c10::TypePtr& elem = type->containedType(0);
      const auto ek = elem->kind();
      if (ek == TypeKind::IntType || ek == TypeKind::SymIntType) {
        c10::List<int64_t> list;
        if (v.IsNumber() || v.IsBigInt()) {
          // `int[3] stride` accepts one int for all dims, as in Python.
          int64_t x = ToInt(env, v, op, arg);
          for (int i = 0; i < arg.N().value_or(1); ++i) list.push_back(x);
          return c10::IValue(list);
        }
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of integers");
        Napi::Array a = v.As<Napi::Array>();
        list.reserve(a.Length());
        for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(ToInt(env, a.Get(i), op, arg));
        return c10::IValue(list);
      }
      if (ek == TypeKind::FloatType) {
        c10::List<double> list;
        if (v.IsNumber()) {
          for (int i = 0; i < arg.N().value_or(1); ++i) list.push_back(v.As<Napi::Number>().DoubleValue());
          return c10::IValue(list);
        }
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of numbers");
        Napi::Array a = v.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(ToDouble(env, a.Get(i), op, arg));
        return c10::IValue(list);
      }
      if (ek == TypeKind::NumberType) {
        // Scalar[]: a generic list of numbers (e.g. per-tensor factors of the _foreach_ ops).
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of numbers");
        Napi::Array a = v.As<Napi::Array>();
        c10::impl::GenericList list(c10::NumberType::get());
        list.reserve(a.Length());
        for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(c10::IValue(ToDouble(env, a.Get(i), op, arg)));
        return c10::IValue(list);
      }
      if (ek == TypeKind::BoolType) {
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of booleans");
        Napi::Array a = v.As<Napi::Array>();
        c10::List<bool> list;
        for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(a.Get(i).ToBoolean().Value());
        return c10::IValue(list);
      }
      if (ek == TypeKind::TensorType) {
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of tensors");
        Napi::Array a = v.As<Napi::Array>();
        c10::List<at::Tensor> list;
        list.reserve(a.Length());
        for (uint32_t i = 0; i < a.Length(); ++i) {
          list.push_back(TensorHandle::Get(env, a.Get(i), op + ": argument '" + arg.name() + "'[" + std::to_string(i) + "]"));
        }
        return c10::IValue(list);
      }
      if (ek == TypeKind::OptionalType && elem->containedType(0)->kind() == TypeKind::TensorType) {
        if (!v.IsArray()) Fail(env, op, arg, "expected an array of tensors or nulls");
        Napi::Array a = v.As<Napi::Array>();
        c10::List<c10::optional<at::Tensor>> list;
        for (uint32_t i = 0; i < a.Length(); ++i) {
          Napi::Value e = a.Get(i);
          if (e.IsNull() || e.IsUndefined()) {
            list.push_back(c10::nullopt);
          } else {
            list.push_back(TensorHandle::Get(env, e, op + ": argument '" + arg.name() + "'[" + std::to_string(i) + "]"));
          }
        }
        return c10::IValue(list);
      }
      Fail(env, op, arg, "list of " + elem->str() + " is not supported");
    }
    case TypeKind::GeneratorType:
      Fail(env, op, arg, "explicit generators are not supported; seed the global generator");
    default:
      Fail(env, op, arg, "argument type not supported by the bridge");
  }
}

}  // namespace

c10::IValue ToIValue(Napi::Env env, Napi::Value v, const c10::Argument& arg, const std::string& op) {
  return ToIValueOfType(env, v, arg.real_type(), arg, op);
}

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return TensorHandle::Wrap(env, t);
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) a.Set(i, FromIValue(env, c10::IValue(list.get(i))));
    return a;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) a.Set(i, FromIValue(env, elems[i]));
    return a;
  }
  if (v.isIntList()) {
    auto list = v.toIntList();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) a.Set(i, Napi::Number::New(env, static_cast<double>(list.get(i))));
    return a;
  }
  if (v.isDoubleList()) {
    auto list = v.toDoubleList();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) a.Set(i, Napi::Number::New(env, list.get(i)));
    return a;
  }
  if (v.isList()) {
    auto list = v.toList();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) a.Set(i, FromIValue(env, list.get(i)));
    return a;
  }
  if (v.isScalar()) {
    at::Scalar s = v.toScalar();
    return Napi::Number::New(env, s.toDouble());
  }
  throw Napi::TypeError::New(env, std::string("cannot return a value of kind ") + v.tagKind());
}

}  // namespace segviz
