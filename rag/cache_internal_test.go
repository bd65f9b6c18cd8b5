package rag

import (
	"strconv"
	"sync"
	"testing"
)

// TestSharedCache: what is stored is loaded, a key is stored once, and the
// cache stops adding at its bound, from many goroutines at once.
func TestSharedCache(t *testing.T) {
	c := newSharedCache[int](100)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := strconv.Itoa(i)
				if v, ok := c.load(k); ok && v != i {
					t.Errorf("goroutine %d: %s = %d", g, k, v)
				}
				c.store(k, i)
			}
		})
	}
	wg.Wait()
	n := 0
	for i := range 200 {
		if v, ok := c.load(strconv.Itoa(i)); ok {
			n++
			if v != i {
				t.Errorf("%d = %d", i, v)
			}
		}
	}
	if n < 100 || n > 100+4 { // each goroutine may pass the bound check once at the end
		t.Errorf("%d entries cached, want about 100", n)
	}
}
