// `segviz info`: what the engine is linked against and what it can use.
import { buildInfo, cudaDeviceCount, getNumThreads } from "../../engine/index.js";

export async function infoCommand(): Promise<number> {
  const b = buildInfo();
  console.log(
    `libtorch ${b.torchVersion}; oneDNN ${b.mkldnn ? "yes" : "no"}; CUDA devices ${cudaDeviceCount()}; threads ${getNumThreads()}`,
  );
  return 0;
}
