package sqlite

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/historytest"
)

// fill adds turns until one fails, and returns the IDs added and the
// error. It gives up after max turns.
func fill(t *testing.T, h *History, max int) ([]string, error) {
	t.Helper()
	var ids []string
	for i := range max {
		id := fmt.Sprintf("fill-%d", i)
		if err := h.AddTurn(ctx, historytest.SampleTurn(id, "c1", time.Time{})); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	t.Fatalf("%d turns added and the database is not full", max)
	return nil, nil
}

// checkFull checks what a full database does: writes fail as unavailable,
// reads go on, and nothing written before is lost.
func checkFull(t *testing.T, h *History, ids []string, err error) {
	t.Helper()
	if len(ids) == 0 {
		t.Fatalf("the first turn failed: %v", err)
	}
	if !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Fatalf("AddTurn on a full database: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	t.Logf("full after %d turns: %v", len(ids), err)
	for range 3 {
		if err := h.AddTurn(ctx, historytest.SampleTurn("more", "c1", time.Time{})); !errors.Is(err, rag.ErrHistoryUnavailable) {
			t.Errorf("AddTurn again on a full database: err = %v, want rag.ErrHistoryUnavailable", err)
		}
	}
	for _, id := range []string{ids[0], ids[len(ids)-1]} {
		if _, err := h.Turn(ctx, id); err != nil {
			t.Errorf("Turn(%s) on a full database: %v", id, err)
		}
	}
	conv, err := h.Conversation(ctx, "c1")
	if err != nil || len(conv) != len(ids) {
		t.Errorf("Conversation on a full database: %d turns, %v; want %d", len(conv), err, len(ids))
	}
}

// TestFullPageLimit makes SQLite itself report SQLITE_FULL, by capping
// the file's pages (PRAGMA max_page_count on the writer connection): no
// mount, no root.
func TestFullPageLimit(t *testing.T) {
	h := mustOpen(t, filepath.Join(t.TempDir(), "history.db"))
	var pages int
	if err := h.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := h.w.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+8)); err != nil {
		t.Fatal(err)
	}
	ids, err := fill(t, h, 1000)
	checkFull(t, h, ids, err)
	// Feedback needs pages too, once they are all taken.
	for i := 0; ; i++ {
		err := h.AddFeedback(ctx, rag.Feedback{Answer: ids[0], Vote: rag.VoteDown, Comment: fmt.Sprint(i)})
		if errors.Is(err, rag.ErrHistoryUnavailable) {
			break
		}
		if err != nil || i == 1000 {
			t.Fatalf("AddFeedback on a full database: err = %v after %d, want rag.ErrHistoryUnavailable", err, i)
		}
	}
	// Room again: writes go on.
	if _, err := h.w.Exec(`PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	if err := h.AddTurn(ctx, historytest.SampleTurn("after", "c1", time.Time{})); err != nil {
		t.Errorf("AddTurn once there is room again: %v", err)
	}
	if err := h.AddFeedback(ctx, rag.Feedback{Answer: "after", Vote: rag.VoteUp}); err != nil {
		t.Errorf("AddFeedback once there is room again: %v", err)
	}
}

// TestFullDisk fills a real file system: a 512 KiB tmpfs, which needs
// root and a kernel that lets it mount (skipped otherwise).
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "citebot-test", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	path := filepath.Join(dir, "history.db")
	h, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close() // before the unmount

	ids, err := fill(t, h, 10000)
	checkFull(t, h, ids, err)
	if err := h.Close(); err != nil {
		t.Logf("Close on a full disk: %v", err)
	}
	// Nothing written before the disk filled is lost, the file opens on
	// the full disk, and it takes writes when there is room again.
	h2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the disk filled: %v", err)
	}
	defer h2.Close()
	conv, err := h2.Conversation(ctx, "c1")
	if err != nil || len(conv) != len(ids) {
		t.Fatalf("Conversation after reopening: %d turns, %v; want %d", len(conv), err, len(ids))
	}
	// The operator makes room.
	if out, err := exec.Command("mount", "-o", "remount,size=2m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount with room: %v: %s", err, out)
	}
	if err := h2.AddTurn(ctx, historytest.SampleTurn("after", "c1", time.Time{})); err != nil {
		t.Errorf("AddTurn after making room: %v", err)
	}
}

// TestBusyIsUnavailable holds the write lock from another connection for
// longer than the busy timeout: the write fails as unavailable, and
// succeeds once the lock is released.
func TestBusyIsUnavailable(t *testing.T) {
	defer func(d time.Duration) { busyTimeout = d }(busyTimeout)
	busyTimeout = 50 * time.Millisecond
	path := filepath.Join(t.TempDir(), "history.db")
	h := mustOpen(t, path)
	other := rawDB(t, path)
	tx, err := other.Begin() // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddTurn(ctx, historytest.SampleTurn("a1", "c1", time.Time{})); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("AddTurn while another process holds the write lock: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := h.AddTurn(ctx, historytest.SampleTurn("a1", "c1", time.Time{})); err != nil {
		t.Errorf("AddTurn once the lock is released: %v", err)
	}
}
