// `segviz info`: what the engine is linked against and what it can use.
import { buildInfo, cudaDeviceCount, getNumThreads } from "../../engine/index.js";
import type { Command } from "../command-spec.js";

export const infoCommand: Command = {
  spec: {
    name: "info",
    summary: "libtorch build, threads and devices",
    description:
      "Prints the libtorch version the addon was built against, whether oneDNN is in it, the number of CUDA devices it sees and its thread count.",
    options: {},
    examples: ["segviz info"],
  },
  async run() {
    const b = buildInfo();
    console.log(
      `libtorch ${b.torchVersion}; oneDNN ${b.mkldnn ? "yes" : "no"}; CUDA devices ${cudaDeviceCount()}; threads ${getNumThreads()}`,
    );
    return 0;
  },
};
