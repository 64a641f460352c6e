// `segviz info`: what the engine is linked against and what it can use.
import { buildInfo, cudaDeviceCount, getNumThreads } from "../../engine/index.js";
import { cpuDescription } from "../../util/cpu-description.js";
import type { Command } from "../command-spec.js";

export const infoCommand: Command = {
  spec: {
    name: "info",
    summary: "libtorch build, threads, devices and CPU",
    description:
      "Prints the libtorch version the addon was built against, whether oneDNN is in it, the number of CUDA devices it sees and its thread count, and the CPU: model, logical CPUs and the vector extensions libtorch's kernels choose between (AVX2, AVX-512, AVX-512 BF16, AMX).",
    options: {},
    examples: ["segviz info"],
  },
  async run() {
    const b = buildInfo();
    console.log(
      `libtorch ${b.torchVersion}; oneDNN ${b.mkldnn ? "yes" : "no"}; CUDA devices ${cudaDeviceCount()}; threads ${getNumThreads()}`,
    );
    console.log(`CPU: ${cpuDescription()}`);
    return 0;
  },
};
