//go:build !linux

package isolate

// limitMemory sets no hard limit where the address-space limit is not
// enforced (macOS) or does not exist: the runtime's soft limit
// (debug.SetMemoryLimit) is the only one.
func limitMemory(int64) {}
