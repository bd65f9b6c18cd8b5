//go:build !linux && !darwin

package isolate

import "time"

// limitCPU sets no limit here; the parent's timeout applies.
func limitCPU(time.Duration) {}
