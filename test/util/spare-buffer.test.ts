// The spare buffer hands out a zeroed buffer of the asked size, the prepared one exactly once.

import assert from "node:assert/strict";
import { test } from "node:test";
import { SpareBuffer } from "../../src/util/spare-buffer.js";

test("spare buffer: the prepared buffer is handed out once, zeroed; other sizes get a fresh one", () => {
  const spare = new SpareBuffer();
  spare.prepare(4096);
  const first = spare.take(4096);
  assert.equal(first.length, 4096);
  assert.ok(first.every((b) => b === 0));
  first.fill(7);
  // Handed out once: the next take is a different, zeroed buffer.
  const second = spare.take(4096);
  assert.notEqual(second.buffer, first.buffer);
  assert.ok(second.every((b) => b === 0));
  // A prepared buffer of another size is not used (and is let go).
  spare.prepare(100);
  const other = spare.take(101);
  assert.equal(other.length, 101);
  assert.equal(spare.take(100).length, 100);
});

test("spare buffer: preparing the same size twice keeps the first; release lets it go; bad sizes are ignored", () => {
  const spare = new SpareBuffer();
  spare.prepare(64);
  const prepared = spare.take(64);
  spare.prepare(64);
  spare.prepare(64);
  const again = spare.take(64);
  assert.notEqual(again.buffer, prepared.buffer);
  spare.prepare(32);
  spare.release();
  spare.prepare(0);
  spare.prepare(-1);
  spare.prepare(Number.NaN);
  assert.equal(spare.take(0).length, 0);
});
