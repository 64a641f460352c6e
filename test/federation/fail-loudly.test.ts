// Faults end loudly, early and cleanly (issue 12): a folder that cannot take a checkpoint or a
// port that cannot be listened on stops the coordinator at start, naming it; a disk that fills up
// mid-federation fails the coordinator naming the file, leaves no temporary file and keeps the
// last checkpoint; and every site then exits non-zero, told the federation failed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadCheckpoint } from "../../src/federation/coordinator/checkpoint.js";
import { startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import {
  QUADRATIC_INITIAL_MODEL,
  QUADRATIC_TRAINER_MODULE,
} from "../../src/federation/simulation/messages.js";
import { forkCoordinator, forkSite } from "../../src/federation/simulation/processes.js";
import { ensureWritableDir, FileWriteError, writeFileAtomic } from "../../src/util/file-writes.js";
import { LOOPBACK, quadraticCoordinator, tempDir, tokens } from "./helpers/federation.js";

/** A small filesystem that fills up: tmpfs of `kb` KiB (needs root and mount; undefined otherwise). */
function smallDisk(dir: string, kb: number): { path: string; unmount: () => void } | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${kb}k`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  return { path: dir, unmount: () => execFileSync("umount", [dir], { stdio: "ignore" }) };
}

describe("faults end loudly, early and cleanly", { timeout: 120_000 }, () => {
  test("a checkpoint folder that cannot be written stops the coordinator before it listens", async () => {
    const dir = tempDir("ckpt-unwritable");
    try {
      // Under a regular file: unwritable even for root.
      writeFileSync(join(dir.path, "a-file"), "x");
      const checkpointDir = join(dir.path, "a-file", "checkpoints");
      await assert.rejects(
        startCoordinator(quadraticCoordinator({ checkpointDir }), new MemoryLogger()),
        new RegExp(`coordinator: checkpointDir ${checkpointDir} is not writable: ENOTDIR`),
      );
      await assert.rejects(
        startCoordinator(
          quadraticCoordinator({ roundLogFile: join(dir.path, "a-file", "rounds.jsonl") }),
          new MemoryLogger(),
        ),
        /cannot write .*a-file\/rounds\.jsonl: ENOTDIR/,
      );
    } finally {
      dir.remove();
    }
  });

  test("a gRPC port that is taken stops the coordinator, naming the address", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, LOOPBACK, () => resolve()));
    const port = (taken.address() as { port: number }).port;
    try {
      await assert.rejects(
        startCoordinator(quadraticCoordinator({ port }), new MemoryLogger()),
        new RegExp(`coordinator: cannot listen on 127\\.0\\.0\\.1:${port}: `),
      );
    } finally {
      taken.close();
    }
  });

  test("atomic writes: a failure names the file and leaves no temporary file", async () => {
    const dir = tempDir("atomic");
    try {
      const target = join(dir.path, "target");
      mkdirSync(target); // renaming a file over a folder fails
      await assert.rejects(writeFileAtomic(target, "data"), (e: unknown) => {
        assert.ok(e instanceof FileWriteError);
        assert.match(e.message, new RegExp(`^cannot write ${target}: E`));
        return true;
      });
      assert.deepEqual(readdirSync(dir.path), ["target"], "no temporary file beside it");
      assert.ok(statSync(target).isDirectory(), "the folder is untouched");
      writeFileSync(join(dir.path, "file"), "");
      assert.throws(
        () => ensureWritableDir(join(dir.path, "file", "y"), "test: dir"),
        /^Error: test: dir .*file\/y is not writable: ENOTDIR/,
      );
    } finally {
      dir.remove();
    }
  });

  test("a disk that fills up mid-federation: the coordinator fails naming the file, keeps round 1, leaves no temporary file; sites exit non-zero", async (t) => {
    const dir = tempDir("enospc");
    // 160 KB of weights per checkpoint: round 1 fits on 256 KiB, round 2 beside it does not.
    const layout = { "model.0.big.weight": { dtype: "float32", shape: [40_000] } };
    const disk = smallDisk(join(dir.path, "disk"), 256);
    if (disk === undefined) {
      dir.remove();
      t.skip("cannot mount a small tmpfs here (needs root and mount)");
      return;
    }
    try {
      const checkpointDir = join(disk.path, "checkpoints");
      const ids = ["a", "b"];
      const coordinatorProcess = forkCoordinator(
        {
          ...quadraticCoordinator({ rounds: 3, sites: tokens(ids), minSitesToStart: 2, checkpointDir }),
          initialModel: { ...QUADRATIC_INITIAL_MODEL, options: { siteSeed: 1, layout } },
        },
        { stdio: "ignore" },
      );
      const { port } = await coordinatorProcess.listening;
      const sites = ids.map((siteId, k) =>
        forkSite(
          { siteId, coordinator: `${LOOPBACK}:${port}`, token: `token-${siteId}` },
          { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: k + 1, layout } },
          { stdio: "ignore" },
        ),
      );
      const finished = await coordinatorProcess.finished;
      assert.equal(await coordinatorProcess.exit, 1);
      assert.equal(finished?.type, "failed");
      assert.match(
        finished?.type === "failed" ? finished.error : "",
        /cannot write .*checkpoints\/global-round-2\.safetensors: ENOSPC no space left on device/,
      );
      assert.equal(loadCheckpoint(checkpointDir)?.round, 1, "round 1's checkpoint is intact");
      assert.deepEqual(
        readdirSync(checkpointDir).filter((n) => n.includes(".tmp")),
        [],
        "no temporary file left",
      );
      for (const s of sites) {
        assert.equal(await s.exit, 1);
        const last = await s.finished;
        assert.match(last?.type === "failed" ? last.error : "", /coordinator failed: cannot write/);
      }
      assert.ok(existsSync(join(checkpointDir, "checkpoint.json")));
    } finally {
      disk.unmount();
      dir.remove();
    }
  });
});
