// Builds the libtorch N-API addon. Finds libtorch in this order: $LIBTORCH (a folder with include/
// and lib/, e.g. site-packages/torch of a CUDA PyTorch), else Debian's libtorch-dev under /usr.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

function findLibtorch() {
  const fromEnv = process.env.LIBTORCH;
  if (fromEnv) {
    const inc = join(fromEnv, "include");
    const lib = join(fromEnv, "lib");
    if (!existsSync(join(inc, "ATen", "ATen.h"))) {
      throw new Error(`LIBTORCH=${fromEnv}: no include/ATen/ATen.h there; point it at a libtorch folder`);
    }
    return { includes: [inc, join(inc, "torch", "csrc", "api", "include")], lib };
  }
  const debLib = "/usr/lib/x86_64-linux-gnu";
  const multiarch = spawnSync("dpkg-architecture", ["-qDEB_HOST_MULTIARCH"], { encoding: "utf8" });
  const lib = multiarch.status === 0 ? `/usr/lib/${multiarch.stdout.trim()}` : debLib;
  if (!existsSync("/usr/include/ATen/ATen.h") || !existsSync(join(lib, "libtorch_cpu.so"))) {
    throw new Error(
      "libtorch not found: install Debian's libtorch-dev (bash scripts/setup.sh) or set LIBTORCH",
    );
  }
  return { includes: ["/usr/include", "/usr/include/torch/csrc/api/include"], lib };
}

// Binaries built with the old C++ ABI (older PyTorch wheels) export std::string without __cxx11.
function usesCxx11Abi(lib) {
  if (process.env.LIBTORCH_CXX11_ABI) return process.env.LIBTORCH_CXX11_ABI !== "0";
  const c10 = readdirSync(lib).find((f) => /^libc10\.so/.test(f));
  if (!c10) return true;
  try {
    const syms = execFileSync("nm", ["-D", "--defined-only", join(lib, c10)], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    return syms.includes("__cxx11");
  } catch {
    return true;
  }
}

const { includes, lib } = findLibtorch();
const cudaLibs = ["libtorch_cuda.so", "libc10_cuda.so"].filter((f) => existsSync(join(lib, f)));
const libs = [
  `-L${lib}`,
  `-Wl,-rpath,${lib}`,
  // Keep libtorch_cuda linked although no symbol of it is referenced, so CUDA kernels register.
  "-Wl,--no-as-needed",
  "-ltorch",
  "-ltorch_cpu",
  "-lc10",
  ...cudaLibs.map((f) => `-l${f.slice(3, -3)}`),
  "-Wl,--as-needed",
];
const env = {
  ...process.env,
  SEGVIZ_TORCH_INCLUDES: includes.join(" "),
  SEGVIZ_TORCH_LIBS: libs.join(" "),
  SEGVIZ_TORCH_CXX11_ABI: usesCxx11Abi(lib) ? "1" : "0",
};
const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
// Node's headers ship with Node itself here; pointing at them avoids a header download.
const nodedir = process.env.npm_config_nodedir || join(dirname(process.execPath), "..");
const args = [nodeGyp, "rebuild", "--directory", join(root, "native"), `--nodedir=${nodedir}`, "-j", "2"];
console.log(
  `build-native: libtorch ${lib} (C++11 ABI ${env.SEGVIZ_TORCH_CXX11_ABI})${cudaLibs.length ? " with CUDA" : ""}`,
);
const r = spawnSync(process.execPath, args, { stdio: "inherit", env });
process.exit(r.status ?? 1);
