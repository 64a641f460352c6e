// Finds a Python interpreter that can import torch (see findPythonWith).
import { findPythonWith } from "../../../bench/reference-python.js";

export function findTorchPython(): string | null {
  return findPythonWith("torch");
}
