{
  # Paths come from scripts/build-native.mjs, which finds Debian's libtorch or the one named by LIBTORCH.
  "targets": [
    {
      "target_name": "segviz_torch",
      "sources": [
        "src/addon.cc",
        "src/tensor_handle.cc",
        "src/convert.cc",
        "src/op_call.cc",
        "src/runtime.cc",
        "src/caching_allocator.cc",
        "src/serialize.cc",
        "src/autocast.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.SEGVIZ_TORCH_INCLUDES\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "_GLIBCXX_USE_CXX11_ABI=<!(node -p \"process.env.SEGVIZ_TORCH_CXX11_ABI\")"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "<!@(node -p \"process.env.SEGVIZ_TORCH_LIBS\")"
      ]
    },
    {
      # No libtorch: the federation's processes load this one alone (see the file's comment).
      "target_name": "segviz_malloc",
      "sources": ["src/malloc_tuning.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
