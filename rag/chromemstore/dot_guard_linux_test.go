//go:build linux

package chromemstore

import (
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns a slice of n int16 that ends where an unreadable page
// begins, so that a kernel reading past it faults.
func guarded(t *testing.T, n int) []int16 {
	t.Helper()
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	start := page - 2*n
	return unsafe.Slice((*int16)(unsafe.Pointer(&mem[start])), n)
}

// TestDots4ReadsNoFurther: the kernels read a row's scales and no more,
// for rows whose scales fill a group of eight exactly (a stride of 256
// bytes) and rows whose do not.
func TestDots4ReadsNoFurther(t *testing.T) {
	for _, stride := range []int{96, 192, 256, 512} {
		sw := scalesPerRow(stride / 32)
		const rows = 3
		bs := guarded(t, rows*sw)
		for i := range bs {
			bs[i] = 1
		}
		q := make([]int8, 2*stride)
		offs := blockOffsets(q)
		m := make([]uint8, rows*stride)
		out := make([]int32, rows)
		dots4(q, m, stride, bs, sw, offs, out)
		dots4Gather(q, m, stride, []int32{2, 0, 2, 1, 2}, bs, sw, offs, make([]int32, 5))
	}
}
