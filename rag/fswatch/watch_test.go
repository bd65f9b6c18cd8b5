package fswatch

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

const debounce = 40 * time.Millisecond

// watcher runs watch on dir for the test and counts onChange calls.
type watcher struct {
	debounce time.Duration
	calls    atomic.Int32
	called   chan struct{}
	done     chan error
	cancel   context.CancelFunc
}

func startWatch(t *testing.T, dir string, onChange func(context.Context)) *watcher {
	t.Helper()
	return startWatchDebounce(t, dir, debounce, onChange)
}

func startWatchDebounce(t *testing.T, dir string, debounce time.Duration, onChange func(context.Context)) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{debounce: debounce, called: make(chan struct{}, 100), done: make(chan error, 1), cancel: cancel}
	started := make(chan struct{})
	go func() {
		w.done <- watch(ctx, dir, debounce, func(ctx context.Context) {
			w.calls.Add(1)
			if onChange != nil {
				onChange(ctx)
			}
			w.called <- struct{}{}
		}, func() { close(started) })
	}()
	select {
	case <-started:
	case err := <-w.done:
		t.Fatalf("watch: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-w.done; err != nil {
			t.Errorf("watch: %v", err)
		}
	})
	return w
}

// waitCall waits for the next onChange call.
func (w *watcher) waitCall(t *testing.T, what string) {
	t.Helper()
	select {
	case <-w.called:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no change reported", what)
	}
}

// quiet checks that no onChange call comes for a while.
func (w *watcher) quiet(t *testing.T, what string) {
	t.Helper()
	select {
	case <-w.called:
		t.Errorf("%s: a change was reported", what)
	case <-time.After(5 * w.debounce):
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchReportsChanges(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "one")
	// A long debounce, so that a slow machine still writes the burst
	// within it.
	w := startWatchDebounce(t, dir, 150*time.Millisecond, nil)

	// A burst of changes is one call.
	for i := range 5 {
		write(t, filepath.Join(dir, "a.txt"), "one more"+string(rune('0'+i)))
		write(t, filepath.Join(dir, "b.md"), "two")
	}
	w.waitCall(t, "writes")
	w.quiet(t, "after the burst")
	if n := w.calls.Load(); n != 1 {
		t.Errorf("%d calls for one burst", n)
	}

	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	w.waitCall(t, "remove")

	if err := os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "c.txt")); err != nil {
		t.Fatal(err)
	}
	w.waitCall(t, "rename")
}

// New sub-directories are watched, deep ones too, including files made in
// them before their watch was added.
func TestWatchNewSubdirectories(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, dir, nil)

	write(t, filepath.Join(dir, "old", "x.txt"), "in an existing sub-directory")
	w.waitCall(t, "existing sub-directory")

	deep := filepath.Join(dir, "new", "deeper", "deepest")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(deep, "y.txt"), "made at once")
	w.waitCall(t, "new directories")

	// The new directories are watched now.
	time.Sleep(2 * debounce)
	write(t, filepath.Join(deep, "z.txt"), "later")
	w.waitCall(t, "file in a new directory")
}

func TestWatchIgnoresHiddenAndTemporary(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, dir, nil)
	for _, name := range []string{".hidden.txt", "a.txt~", ".a.txt.swp", "a.txt.swp", "#a.txt#", "~$report.docx",
		"4913", "file.tmp", "big.pdf.part", "big.pdf.crdownload", filepath.Join(".git", "index")} {
		write(t, filepath.Join(dir, name), "x")
	}
	if err := os.MkdirAll(filepath.Join(dir, ".cache", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, ".cache", "sub", "visible-name.txt"), "x")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.quiet(t, "hidden and temporary files")

	// An editor's atomic save: a temporary file renamed over the document.
	write(t, filepath.Join(dir, "doc.txt.tmp"), "new text")
	if err := os.Rename(filepath.Join(dir, "doc.txt.tmp"), filepath.Join(dir, "doc.txt")); err != nil {
		t.Fatal(err)
	}
	w.waitCall(t, "atomic save")
}

// Changes during a call lead to exactly one more call after it, and calls
// never overlap.
func TestWatchCoalescesDuringCall(t *testing.T) {
	dir := t.TempDir()
	release := make(chan struct{})
	var inCall, overlap atomic.Int32
	first := true
	w := startWatch(t, dir, func(ctx context.Context) {
		if inCall.Add(1) > 1 {
			overlap.Store(1)
		}
		defer inCall.Add(-1)
		if first {
			first = false
			<-release
		}
	})
	write(t, filepath.Join(dir, "a.txt"), "1")
	// Wait until the first call is running.
	deadline := time.Now().Add(5 * time.Second)
	for inCall.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no call")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := range 3 {
		write(t, filepath.Join(dir, "b.txt"), string(rune('0'+i)))
		time.Sleep(2 * debounce) // each write is its own burst
	}
	close(release)
	w.waitCall(t, "first call")
	w.waitCall(t, "the call for the changes during the first")
	w.quiet(t, "after the second call")
	if n := w.calls.Load(); n != 2 || overlap.Load() != 0 {
		t.Errorf("%d calls (overlap %v), want 2 that do not overlap", n, overlap.Load() != 0)
	}
}

// Cancelling Watch cancels the call in flight and waits for it.
func TestWatchCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started, finished := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		done <- watch(ctx, dir, debounce, func(ctx context.Context) {
			close(started)
			<-ctx.Done()
			close(finished)
		}, func() { close(ready) })
	}()
	<-ready
	write(t, filepath.Join(dir, "a.txt"), "x")
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch = %v, want nil", err)
	}
	select {
	case <-finished:
	default:
		t.Error("Watch returned before the call in flight")
	}
}

func TestWatchErrors(t *testing.T) {
	ctx := context.Background()
	if err := Watch(ctx, filepath.Join(t.TempDir(), "missing"), 0, func(context.Context) {}); err == nil {
		t.Error("watching a missing directory succeeded")
	}
	file := filepath.Join(t.TempDir(), "f.txt")
	write(t, file, "x")
	if err := Watch(ctx, file, 0, func(context.Context) {}); err == nil {
		t.Error("watching a file succeeded")
	}
}

// TestWatchSwappedDirectory checks that a watch follows its directory's
// name through the usual atomic deploy (rename the old one away, rename a
// new one in) and through a re-pointed symbolic link, and that changes in
// the new directory are reported while the old one's are not.
func TestWatchSwappedDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, dir, nil)

	next := filepath.Join(parent, "next")
	if err := os.Mkdir(next, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(next, "a.txt"), "new")
	if err := os.Rename(dir, filepath.Join(parent, "old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	w.waitCall(t, "the directory was swapped")
	w.quiet(t, "after the swap")

	write(t, filepath.Join(parent, "old", "b.txt"), "old")
	w.quiet(t, "a write in the directory swapped away")
	write(t, filepath.Join(dir, "c.txt"), "new")
	w.waitCall(t, "a write in the swapped-in directory")

	// A symbolic link re-pointed to another directory.
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(parent, "link")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	lw := startWatch(t, link, nil)
	tmp := filepath.Join(parent, "link.tmp")
	if err := os.Symlink(b, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	lw.waitCall(t, "the link was re-pointed")
	write(t, filepath.Join(b, "d.txt"), "b")
	lw.waitCall(t, "a write in the directory the link leads to now")
}

// TestWatchDirectoryReturns checks that a watch whose directory is removed
// goes on, reports nothing while it is gone, and reports a change once a
// directory of that name is back.
func TestWatchDirectoryReturns(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, dir, nil)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	w.quiet(t, "while the directory is gone")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.waitCall(t, "the directory came back")
	write(t, filepath.Join(dir, "a.txt"), "x")
	w.waitCall(t, "a write in the directory that came back")
}

func TestIgnored(t *testing.T) {
	for name, want := range map[string]bool{
		"a.txt": false, "notes.md": false, "report.PDF": false, "temp-notes.txt": false, "4913.txt": false,
		".a.txt": true, "a.txt~": true, "a.SWP": true, "#a#": true, "~$a.docx": true, "4913": true, "x.crdownload": true,
	} {
		if got := Ignored(name); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", name, got, want)
		}
	}
}
