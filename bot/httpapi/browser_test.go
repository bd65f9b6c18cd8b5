package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
)

// The browser tests take a few seconds, so they run only when
// CITEBOT_BROWSER_TESTS=1 or in CI (CI=true).
func browserTestsWanted() bool {
	return os.Getenv("CITEBOT_BROWSER_TESTS") == "1" || os.Getenv("CI") == "true"
}

// startBrowser starts a headless Debian chromium for the test and returns
// its context. Without chromium the test is skipped — except in CI
// (CI=true), where that is a failure.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if !browserTestsWanted() {
		t.Skip("skipping the browser tests: set CITEBOT_BROWSER_TESTS=1 to run them (they need chromium)")
	}
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but chromium is not installed: apt-get install -y chromium")
		}
		t.Skip("skipping the browser tests: chromium is not installed (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// The test machine may have no network; chromium's background
		// traffic would hang there.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// newTab opens a tab in the browser for the test, for at most a minute. It
// returns the tab's context and a func that lists the page's console errors
// and uncaught exceptions so far.
func newTab(t *testing.T, browser context.Context) (context.Context, func() []string) {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(browser)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, string(m.Type)+": "+m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

func TestBrowser(t *testing.T) {
	browser := startBrowser(t)
	t.Run("page", func(t *testing.T) { testBrowserPage(t, browser) })
	t.Run("api key", func(t *testing.T) { testBrowserAPIKey(t, browser) })
	t.Run("confidence", func(t *testing.T) { testBrowserConfidence(t, browser) })
	t.Run("cross site", func(t *testing.T) { testBrowserCrossSite(t, browser) })
	t.Run("footnote", func(t *testing.T) { testBrowserFootnote(t, browser) })
	t.Run("documents", func(t *testing.T) { testBrowserDocuments(t, browser) })
	t.Run("documents read only", func(t *testing.T) { testBrowserDocumentsReadOnly(t, browser) })
	t.Run("empty state", func(t *testing.T) { testBrowserEmptyState(t, browser) })
	t.Run("empty corpus", func(t *testing.T) { testBrowserEmptyCorpus(t, browser) })
	t.Run("loading", func(t *testing.T) { testBrowserLoading(t, browser) })
	t.Run("streaming", func(t *testing.T) { testBrowserStreaming(t, browser) })
	t.Run("abstention", func(t *testing.T) { testBrowserAbstention(t, browser) })
	t.Run("conversation", func(t *testing.T) { testBrowserConversation(t, browser) })
	t.Run("admin", func(t *testing.T) { testBrowserAdmin(t, browser) })
}

// screenshotDir is where the browser tests save screenshots of the page:
// $CITEBOT_SCREENSHOTS, or the test's artifact directory, which `go test
// -artifacts -outputdir DIR` keeps.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("CITEBOT_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// tab is a browser tab on the page, failing its test with the page's
// problems when a step fails.
type tab struct {
	t        *testing.T
	ctx      context.Context
	problems func() []string
}

func openTab(t *testing.T, browser context.Context) *tab {
	t.Helper()
	ctx, problems := newTab(t, browser)
	return &tab{t: t, ctx: ctx, problems: problems}
}

func (b *tab) do(name string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (page problems: %v)", name, err, b.problems())
	}
}

// text is the rendered text of the first element sel matches.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return evaluate[string](b, `document.querySelector(`+jsString(sel)+`).innerText`)
}

// shown says whether the first element sel matches takes up room.
func (b *tab) shown(sel string) bool {
	b.t.Helper()
	return evaluate[bool](b, `(() => { const e = document.querySelector(`+jsString(sel)+`); return e !== null && e.getClientRects().length > 0; })()`)
}

// noProblems fails the test on the page's console errors and exceptions;
// with scriptOnly, only on exceptions (the browser logs a 4xx or 5xx
// response as an error itself).
func (b *tab) noProblems(scriptOnly bool) {
	b.t.Helper()
	for _, p := range b.problems() {
		if !scriptOnly || strings.HasPrefix(p, string(chromedp.ConsoleException)) {
			b.t.Errorf("page problem: %s", p)
		}
	}
}

func evaluate[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (page problems: %v)", expr, err, b.problems())
	}
	return v
}

func jsString(s string) string { return jsonBody(s) }

// colorScheme makes the page see prefers-color-scheme: scheme ("" for the
// browser's own).
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		p := emulation.SetEmulatedMediaParams{}
		if scheme != "" {
			p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
		}
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, p)
		return err
	})
}

// screenshots saves the page as it is now at a desktop and a phone width,
// light and dark, as dir/name-{desktop,phone}-{light,dark}.png, then puts
// the desktop viewport and the browser's color scheme back.
func screenshots(b *tab, dir, name string) {
	b.t.Helper()
	for _, scheme := range []string{"light", "dark"} {
		b.do("color scheme "+scheme, colorScheme(scheme))
		screenshot(b.t, b.ctx, dir, name+"-desktop-"+scheme, 1280, 800)
		screenshot(b.t, b.ctx, dir, name+"-phone-"+scheme, 390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.do("reset", colorScheme(""), chromedp.EmulateViewport(1280, 800))
}

// screenshot saves the whole page at this viewport as dir/name.png.
func screenshot(t *testing.T, ctx context.Context, dir, name string, width, height int64, opts ...chromedp.EmulateViewportOption) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		if _, err := chromedp.EmulateViewport(width, height, opts...)(ctx, tg); err != nil {
			return nil, err
		}
		return chromedp.FullScreenshot(100)(ctx, tg)
	}))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The documents panel of a server that takes writes: the documents are
// listed; a file chosen in the file input is uploaded, listed and
// answerable; uploading it again is an error shown as one; deleting it
// asks first, then removes it from the list.
func testBrowserDocuments(t *testing.T, browser context.Context) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"tower.md":  "# The Harbour Tower\n\nThe Harbour Tower was designed by the architect Hugo Brandt in 1902. It stands eighty metres tall beside the old port.\n",
		"ferry.txt": "Island ferry timetable\n\nThe first ferry to Skerry Island leaves the harbour at 07:15 on weekdays and at 09:00 on Sundays.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	upload := filepath.Join(t.TempDir(), heronsDoc)
	if err := os.WriteFile(upload, []byte(heronsText), 0o644); err != nil {
		t.Fatal(err)
	}
	idx := newIndex(t, dir)
	h := newHandler(t, idx, Options{
		AllowWrites:  true,
		Corpus:       dir,
		Supports:     testSupports,
		MaxFileBytes: testMaxFileBytes,
		Reindex:      func(ctx context.Context) (rag.SyncReport, error) { return idx.Sync(ctx, dir, nil) },
	})
	base := startServer(t, h)
	ctx, problems := newTab(t, browser)
	shots := screenshotDir(t)
	do := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v (page problems: %v)", name, err, problems())
		}
	}
	sources := func() []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#docs-list tr")].map((tr) => tr.dataset.source)`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v (page problems: %v)", sel, err, problems())
		}
		return v
	}

	do("open the panel",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.ID("docs-toggle")),
		chromedp.WaitVisible(chromedp.ID("drop")),
		chromedp.WaitVisible(chromedp.CSS(`#docs-list tr[data-source="tower.md"] button.delete`)),
	)
	if got := sources(); !slices.Equal(got, []string{"ferry.txt", "tower.md"}) {
		t.Errorf("documents listed %q", got)
	}
	do("upload",
		chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{upload}),
		chromedp.WaitVisible(chromedp.CSS(`#docs-list tr[data-source="herons.md"]`)),
		chromedp.WaitVisible(chromedp.CSS("#uploads li.done")),
	)
	if got := sources(); !slices.Contains(got, heronsDoc) {
		t.Errorf("after the upload, documents listed %q", got)
	}
	if row := text(`#docs-list tr[data-source="herons.md"]`); !strings.Contains(row, "Quarry Lake survey") {
		t.Errorf("the uploaded document's row reads %q, want its title", row)
	}

	// The same file again is 409, shown as an error beside its upload.
	do("upload again",
		chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{upload}),
		chromedp.WaitVisible(chromedp.CSS("#uploads li.failed .error")),
	)
	if e := text("#uploads li.failed .error"); !strings.HasPrefix(e, "Error: herons.md:") || !strings.Contains(e, "already there") {
		t.Errorf("the second upload's error reads %q", e)
	}
	// A file dropped on the drop zone is uploaded too; one of a type no
	// loader reads is 415, shown as an error.
	do("drop",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File(["MZ"], "setup.exe"));
			document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		})()`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#uploads li.failed").length === 2`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if e := text("#uploads li.failed .error"); !strings.HasPrefix(e, "Error: setup.exe:") || !strings.Contains(e, "no loader reads") {
		t.Errorf("the dropped file's error reads %q", e)
	}
	screenshot(t, ctx, shots, "panel-desktop", 1280, 800)

	do("ask",
		chromedp.SendKeys(chromedp.ID("question"), heronsQuestion),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.CSS("#answer button.cite")),
	)
	if a, c := text("#answer"), text("#citations"); !strings.Contains(a, "287") || !strings.Contains(c, heronsDoc) {
		t.Errorf("answer %q, citations %q: want the uploaded document's", a, c)
	}

	row := `#docs-list tr[data-source="herons.md"]`
	do("ask to delete",
		chromedp.Click(chromedp.CSS(row+" button.delete")),
		chromedp.WaitVisible(chromedp.CSS(row+" button.confirm-yes")),
	)
	screenshot(t, ctx, shots, "panel-phone", 390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
	do("delete",
		chromedp.Click(chromedp.CSS(row+" button.confirm-yes")),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
	)
	if got := sources(); !slices.Equal(got, []string{"ferry.txt", "tower.md"}) {
		t.Errorf("after the delete, documents listed %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, heronsDoc)); !os.IsNotExist(err) {
		t.Errorf("the deleted file is still in the corpus: %v", err)
	}
	if st := text("#docs-status"); !strings.Contains(st, "Deleted herons.md") {
		t.Errorf("status after the delete %q", st)
	}
	// The browser logs the 409 as an error itself; only script errors
	// count here.
	for _, p := range problems() {
		if strings.HasPrefix(p, string(chromedp.ConsoleException)) {
			t.Errorf("page problem: %s", p)
		}
	}
}

// Where the server takes no writes, the panel lists the documents with no
// upload or delete controls.
func testBrowserDocumentsReadOnly(t *testing.T, browser context.Context) {
	ctx, problems := newTab(t, browser)
	base := startServer(t, newHandler(t, sharedIndex(t), Options{}))
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.ID("docs-toggle")),
		chromedp.WaitVisible(chromedp.CSS("#docs-list tr")),
	)
	if err != nil {
		t.Fatalf("open the panel: %v (page problems: %v)", err, problems())
	}
	controls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#documents input, #documents button, #drop")]
		.filter((e) => e.getClientRects().length > 0).map((e) => e.id || e.className)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(controls) > 0 {
		t.Errorf("a read-only server's panel shows controls %q", controls)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems: %v", p)
	}
}

// towerText is a document whose answer to towerQuestion is a sentence in
// the middle of a long passage, with a footnote marker of its own.
const (
	towerText = "# The Harbour Tower\n\n## History\n\n" +
		"The old port was busy with fishing boats and island ferries for most of the nineteenth century, " +
		"and the town grew along the quay as the trade in salt and timber increased year after year. " +
		"Merchants built warehouses of grey stone beside the water. " +
		"The Harbour Tower was designed by the architect Hugo Brandt [2] in 1902. " +
		"Its lamp room was rebuilt after a storm in 1931 and again in 1968, when the old lens gave way to " +
		"an electric beacon that is seen from the islands on a clear night. Visitors may climb the stairs on summer weekends.\n"
	towerQuestion = "Which architect designed the Harbour Tower?"
)

// A footnote marker in a quoted document ("Hugo Brandt [2]") shows as the
// document wrote it and is no citation button; the answer's own [1] is,
// and its citation names the section of the quote and shows the passage
// trimmed around the quote, whole on request.
func testBrowserFootnote(t *testing.T, browser context.Context) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tower.md"), []byte(towerText), 0o644); err != nil {
		t.Fatal(err)
	}
	idx := newIndex(t, dir)
	want, err := idx.Ask(context.Background(), towerQuestion, DefaultK)
	if err != nil || len(want.Citations) != 1 {
		t.Fatalf("ask: %v %+v", err, want)
	}
	c := want.Citations[0]
	if len(c.Text)-len(c.Quote) < 400 || c.Quote == "" || !strings.Contains(c.Text, c.Quote) {
		t.Fatalf("the test document should make a long passage around the quote: quote %q in %q", c.Quote, c.Text)
	}
	b := openTab(t, browser)
	base := startServer(t, newHandler(t, idx, Options{}))
	b.do("ask",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("question")),
		chromedp.SendKeys(chromedp.ID("question"), towerQuestion),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.CSS("#answer button.cite")),
	)
	answer := b.text("#answer")
	buttons := evaluate[[]string](b, `[...document.querySelectorAll("#answer button.cite")].map((b) => b.textContent)`)
	if !strings.Contains(answer, "Hugo Brandt [2] in 1902.") || strings.Contains(answer, `\[`) {
		t.Errorf("answer shown = %q, want the footnote as written", answer)
	}
	if !slices.Equal(buttons, []string{"[1]"}) {
		t.Errorf("citation buttons %q, want only [1]", buttons)
	}
	// The citation names the section its quote is in.
	if meta := b.text("#citations .meta"); !strings.Contains(meta, "§ History") {
		t.Errorf("citation meta %q, want the section History", meta)
	}
	// The passage is cut around the quote, which is marked.
	shown, marked := norm(b.text("#citation-1 blockquote")), b.text("#citation-1 blockquote mark")
	if marked != c.Quote || !strings.HasPrefix(shown, "…") || !strings.HasSuffix(shown, "…") ||
		len(shown) >= len(norm(c.Text)) || !strings.Contains(shown, norm(c.Quote)) {
		t.Errorf("passage shown %q with %q marked, want it cut around the quote %q", shown, marked, c.Quote)
	}
	screenshots(b, screenshotDir(t), "answer")
	b.do("whole passage", chromedp.Click(chromedp.CSS("#citation-1 button.more")))
	if whole := norm(b.text("#citation-1 blockquote")); whole != norm(c.Text) {
		t.Errorf("whole passage shown %q, want %q", whole, norm(c.Text))
	}
	// The title opens the document too; its close button closes it.
	b.do("open and close",
		chromedp.Click(chromedp.CSS("#citation-1 button.source")),
		chromedp.WaitVisible(chromedp.CSS("#doc-text mark")),
		chromedp.Click(chromedp.ID("doc-close")),
		chromedp.WaitNotVisible(chromedp.ID("document")),
	)
	b.noProblems(false)
}

// crossSitePage is another site's page that tries to drive citebot through
// the visitor's browser with requests browsers send without asking first:
// text/plain fetches and a text/plain form.
const crossSitePage = `<!doctype html><title>busy</title>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="TARGET/v1/reindex" enctype="text/plain" target="sink">
<input name='{"x":"' value='"}'></form>
<script>
(async () => {
  const opts = (body) => ({ method: "POST", mode: "no-cors", body });
  await fetch("TARGET/v1/reindex", opts("{}")).catch(() => {});
  await fetch("TARGET/v1/reindex", { method: "POST", mode: "no-cors" }).catch(() => {});
  await fetch("TARGET/v1/ask", { ...opts(JSON.stringify({ question: "QUESTION" })), headers: { "Content-Type": "text/plain" } }).catch(() => {});
  document.getElementById("f").submit();
  document.querySelector("iframe").onload = () => { document.title = "done"; };
})();
</script>`

// Another site's page cannot ask or re-index through the visitor's
// browser: its simple requests arrive and are refused with 415.
func testBrowserCrossSite(t *testing.T, browser context.Context) {
	ctx, problems := newTab(t, browser)
	log := &logBuffer{}
	var reindexed atomic.Int32
	h, err := New(sharedIndex(t), Options{Registry: prometheus.NewRegistry(), Logger: log.logger(),
		Reindex: func(context.Context) (rag.SyncReport, error) { reindexed.Add(1); return rag.SyncReport{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, h)
	page := strings.NewReplacer("TARGET", base, "QUESTION", salafism).Replace(crossSitePage)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	t.Cleanup(other.Close)
	err = chromedp.Do(ctx,
		chromedp.Navigate(other.URL+"/"),
		chromedp.Poll[chromedp.Void](`document.title === "done"`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if err != nil {
		t.Fatalf("the other site's page: %v (page problems: %v)", err, problems())
	}
	refused := 0
	for _, l := range log.lines(t) {
		if l["route"] == "POST /v1/ask" || l["route"] == "POST /v1/reindex" {
			if l["status"] != float64(http.StatusUnsupportedMediaType) {
				t.Errorf("a cross-site request was answered: %v", l)
			}
			refused++
		}
	}
	if refused != 4 || reindexed.Load() != 0 {
		t.Errorf("%d cross-site requests refused (want 4), %d reindexes (want 0)", refused, reindexed.Load())
	}
}

// The page in a real browser: type a question, submit, read the answer
// with a citation, click it, see the passage highlighted in its document.
func testBrowserPage(t *testing.T, browser context.Context) {
	idx := sharedIndex(t)
	ctx, problems := newTab(t, browser)
	h, err := New(idx, Options{Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, h)
	want, err := idx.Ask(context.Background(), salafism, DefaultK)
	if err != nil || len(want.Citations) == 0 {
		t.Fatalf("ask: %v %+v", err, want)
	}

	run := func(name string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v (page problems: %v)", name, err, problems())
		}
		return v
	}
	do := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v (page problems: %v)", name, err, problems())
		}
	}
	do("ask",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("question")),
		chromedp.SendKeys(chromedp.ID("question"), salafism),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.CSS("#answer button.cite")),
	)
	keyShown := run("key row", chromedp.Evaluate[string](`getComputedStyle(document.getElementById("key-row")).display`))
	if keyShown != "none" {
		t.Errorf("the API key field shows (display %q) on a server without keys", keyShown)
	}
	answer := run("answer", chromedp.Text(chromedp.ID("answer")))
	citations := run("citations", chromedp.Text(chromedp.ID("citations")))
	// The quote is marked inside its passage.
	quoted := run("quote", chromedp.Text(chromedp.CSS("#citation-1 blockquote mark")))
	do("open citation",
		chromedp.Click(chromedp.CSS(`#answer button.cite[data-n="1"]`)),
		chromedp.WaitVisible(chromedp.CSS("#doc-text mark")),
	)
	screenshots(&tab{t: t, ctx: ctx, problems: problems}, screenshotDir(t), "document")
	mark := run("mark", chromedp.Text(chromedp.CSS("#doc-text mark")))
	markQuote := run("mark's quote", chromedp.Text(chromedp.CSS("#doc-text mark .quote")))
	markN, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#doc-text mark"), "data-n"))
	if err != nil {
		t.Fatal(err)
	}
	focused := run("focus", chromedp.Evaluate[string](`document.activeElement.id`))
	title := run("title", chromedp.Text(chromedp.ID("doc-title")))
	status := run("status", chromedp.Text(chromedp.ID("status")))
	// Escape closes the document and gives the focus back to the citation
	// that opened it.
	do("escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("document")))
	back := run("focus after escape", chromedp.Evaluate[string](`document.activeElement.className + " " + document.activeElement.dataset.n`))
	if back != "cite 1" {
		t.Errorf("after Escape the focus is on %q, want the [1] that opened the document", back)
	}
	if norm(quoted) != norm(want.Citations[0].Quote) || norm(markQuote) != norm(want.Citations[0].Quote) || want.Citations[0].Quote == "" {
		t.Errorf("quote marked %q in the citation and %q in the document, want %q", quoted, markQuote, want.Citations[0].Quote)
	}

	if !strings.Contains(answer, "Salafism") || !strings.Contains(answer, "[1]") {
		t.Errorf("answer shown = %q", answer)
	}
	if !strings.Contains(citations, want.Citations[0].Title) {
		t.Errorf("citations shown = %q, want the title %q", citations, want.Citations[0].Title)
	}
	if norm(mark) != norm(want.Citations[0].Text) || markN.Value != "1" {
		t.Errorf("highlighted [%s] %q, want citation [1] %q", markN.Value, mark, want.Citations[0].Text)
	}
	if focused != "passage" || !strings.Contains(status, "highlighted") || title != want.Citations[0].Title {
		t.Errorf("focus on %q, status %q, document title %q", focused, status, title)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems: %v", p)
	}
}

// confidenceIndex answers as its index does, with a fixed confidence.
type confidenceIndex struct {
	Index
	confidence float64
}

func (c confidenceIndex) Ask(ctx context.Context, q string, k int) (rag.Answer, error) {
	ans, err := c.Index.Ask(ctx, q, k)
	ans.Confidence = c.confidence
	return ans, err
}

// The page gives a grounded answer's confidence beside it and flags one
// under 50% as low, there and in the status line, rounded down as the CLI
// rounds it; an abstention has none.
func testBrowserConfidence(t *testing.T, browser context.Context) {
	for _, tc := range []struct {
		question   string
		confidence float64
		want       string // the note; "" for none
	}{
		{salafism, 0.38, "Low confidence (38%) — check the sources before relying on it."},
		{salafism, 0.4999, "Low confidence (49%) — check the sources before relying on it."},
		{salafism, 0.83, "Confidence 83%"},
		{unanswerable, 0.1, ""},
	} {
		ctx, problems := newTab(t, browser)
		h, err := New(confidenceIndex{sharedIndex(t), tc.confidence}, Options{Registry: prometheus.NewRegistry()})
		if err != nil {
			t.Fatal(err)
		}
		base := startServer(t, h)
		err = chromedp.Do(ctx,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.ID("question")),
			chromedp.SendKeys(chromedp.ID("question"), tc.question),
			chromedp.Click(chromedp.ID("ask")),
			chromedp.WaitVisible(chromedp.ID("answer")),
		)
		if err != nil {
			t.Fatalf("ask %q: %v (page problems: %v)", tc.question, err, problems())
		}
		note, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("confidence").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("confidence")).display !== "none"`))
		if err != nil {
			t.Fatal(err)
		}
		status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		if err != nil {
			t.Fatal(err)
		}
		if tc.confidence == 0.38 {
			screenshots(&tab{t: t, ctx: ctx, problems: problems}, screenshotDir(t), "low-confidence")
		}
		if note != tc.want || shown != (tc.want != "") {
			t.Errorf("confidence %v: note %q (shown %v), want %q", tc.confidence, note, shown, tc.want)
		}
		if low := strings.Contains(status, "low confidence ("); low != (tc.confidence < 0.5 && tc.want != "") {
			t.Errorf("confidence %v: status %q", tc.confidence, status)
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("the page reported problems: %v", p)
		}
	}
}

// With API keys, the page asks for a key when the server wants one.
func testBrowserAPIKey(t *testing.T, browser context.Context) {
	ctx, problems := newTab(t, browser)
	h, err := New(sharedIndex(t), Options{Registry: prometheus.NewRegistry(), APIKeys: []string{"s3cret-key"}})
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, h)
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/"),
		chromedp.SendKeys(chromedp.ID("question"), salafism),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.ID("api-key")),
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("ask without a key: %v (page problems: %v)", err, problems())
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("error")))
	if err != nil {
		t.Fatal(err)
	}
	screenshots(&tab{t: t, ctx: ctx, problems: problems}, screenshotDir(t), "error")
	// An error looks unlike a status line: a coloured bar and background,
	// announced at once (role=alert).
	look, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`["error", "status"].map((id) => {
		const e = document.getElementById(id), st = getComputedStyle(e);
		return [e.getAttribute("role"), st.borderLeftStyle, st.backgroundColor].join(" ");
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(look[0], "alert solid ") || strings.HasSuffix(look[0], "rgba(0, 0, 0, 0)") || !strings.HasPrefix(look[1], "status none ") {
		t.Errorf("the error (role, border, background %q) does not look unlike the status (%q)", look[0], look[1])
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("api-key"), "s3cret-key"),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.CSS("#answer button.cite")),
	)
	if err != nil {
		t.Fatalf("ask with the key: %v (page problems: %v)", err, problems())
	}
	answer, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("answer")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "Error: ") || !strings.Contains(status, "API key") || !strings.Contains(answer, "Salafism") {
		t.Errorf("error %q, answer %q", status, answer)
	}
	if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("error").hidden`)); err != nil || shown {
		t.Errorf("the error still shows after an answer (%v)", err)
	}
	// The browser logs the 401 as an error itself; only script errors
	// count here.
	for _, p := range problems() {
		if strings.HasPrefix(p, string(chromedp.ConsoleException)) {
			t.Errorf("page problem: %s", p)
		}
	}
}

// norm collapses whitespace: innerText renders the page's pre-wrap text
// with the same characters, but line ends may differ.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// Before a question the page says how many documents are indexed, links
// to their list and offers a few of their titles to ask about; the
// question box has the focus. A title asked is answered from its
// document, and the question goes into the address.
func testBrowserEmptyState(t *testing.T, browser context.Context) {
	b := openTab(t, browser)
	base := startServer(t, newHandler(t, sharedIndex(t), Options{}))
	b.do("load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#example-list button.example")),
	)
	if focused := evaluate[string](b, `document.activeElement.id`); focused != "question" {
		t.Errorf("on load the focus is on %q, want the question box", focused)
	}
	if count := b.text("#doc-count"); count != "6 documents indexed. Browse the documents" {
		t.Errorf("document count reads %q", count)
	}
	// Titles cut short (…) or over 100 characters are left out; the others
	// are offered in the order of the list.
	examples := evaluate[[]string](b, `[...document.querySelectorAll("#example-list button")].map((b) => b.textContent)`)
	wantExamples := []string{
		"Kazakh Security Council Considers New Measures in Wake of Aktobe Attacks",
		"The status of the Border Policy Concept development was discussed today in the Senate",
		"Skerry Island field notes",
	}
	if !slices.Equal(examples, wantExamples) {
		t.Errorf("examples %q, want %q", examples, wantExamples)
	}
	screenshots(b, screenshotDir(t), "empty-state")

	b.do("browse", chromedp.Click(chromedp.CSS("#doc-count a.browse")), chromedp.WaitVisible(chromedp.CSS("#docs-list tr")))
	if expanded := evaluate[string](b, `document.getElementById("docs-toggle").getAttribute("aria-expanded")`); expanded != "true" {
		t.Errorf("the document list opened with aria-expanded %q", expanded)
	}
	b.do("ask an example",
		chromedp.Click(chromedp.CSS(`#example-list button.example`)), // the first
		chromedp.WaitVisible(chromedp.CSS("#answer button.cite")),
	)
	if q := evaluate[string](b, `new URLSearchParams(location.search).get("q") + " | " + document.getElementById("question").value`); q != wantExamples[0]+" | "+wantExamples[0] {
		t.Errorf("after asking an example, address q and question box read %q", q)
	}
	if src := b.text("#citation-1 .meta"); !strings.HasPrefix(src, salafismDoc) {
		t.Errorf("the example's answer cites %q, want %s", src, salafismDoc)
	}
	if b.shown("#welcome") {
		t.Error("the empty state still shows beside an answer")
	}
	b.noProblems(false)
}

// With no documents the page says "0 documents indexed", offers no
// examples but, where this client may write, a link to add files; a
// question asked anyway is told the same.
func testBrowserEmptyCorpus(t *testing.T, browser context.Context) {
	b := openTab(t, browser)
	dir := t.TempDir()
	idx := newIndex(t, dir)
	base := startServer(t, newHandler(t, idx, Options{
		AllowWrites: true,
		Corpus:      dir,
		Reindex:     func(ctx context.Context) (rag.SyncReport, error) { return idx.Sync(ctx, dir, nil) },
	}))
	b.do("load",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("empty-hint")),
	)
	if count, hint := b.text("#doc-count"), b.text("#empty-hint"); count != "0 documents indexed." || hint != "Add files to start asking." {
		t.Errorf("document count reads %q, hint %q", count, hint)
	}
	if b.shown("#examples") {
		t.Error("examples show with no documents")
	}
	screenshots(b, screenshotDir(t), "empty-corpus")
	b.do("add files", chromedp.Click(chromedp.CSS("#empty-hint a.browse")), chromedp.WaitVisible(chromedp.ID("drop")))
	b.do("ask",
		chromedp.SendKeys(chromedp.ID("question"), "Who designed the tower?"),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.ID("abstain-help")),
	)
	if st, help := b.text("#status"), b.text("#abstain-help"); !strings.HasPrefix(st, "0 documents indexed") || !strings.HasPrefix(help, "0 documents indexed") {
		t.Errorf("asked with no documents: status %q, help %q", st, help)
	}
	b.noProblems(false)
}

// While the index loads (503), the page shows that it is loading and
// checks again by itself; a /?q= link fills in the question, which is
// asked as soon as the index is ready.
func testBrowserLoading(t *testing.T, browser context.Context) {
	var ready atomic.Bool
	b := openTab(t, browser)
	base := startServer(t, newHandler(t, sharedIndex(t), Options{Ready: ready.Load}))
	b.do("load",
		chromedp.Navigate(base+"/?q="+url.QueryEscape(salafism)),
		chromedp.WaitVisible(chromedp.CSS("#loading progress")),
	)
	if q := evaluate[string](b, `document.getElementById("question").value`); q != salafism {
		t.Errorf("the question box holds %q, want the link's question", q)
	}
	if st := b.text("#status"); !strings.Contains(st, "loading") || b.shown("#error") {
		t.Errorf("while loading the status reads %q (error shown: %v)", st, b.shown("#error"))
	}
	screenshots(b, screenshotDir(t), "loading")
	ready.Store(true)
	b.do("ready", chromedp.WaitVisible(chromedp.CSS("#answer button.cite")))
	if b.shown("#loading") || b.shown("#error") || !strings.Contains(b.text("#answer"), "Salafism") {
		t.Errorf("once ready: loading shown %v, error shown %v, answer %q", b.shown("#loading"), b.shown("#error"), b.text("#answer"))
	}
	if count := b.text("#doc-count"); !strings.HasPrefix(count, "6 documents indexed.") {
		t.Errorf("once ready the document count reads %q", count)
	}
	b.noProblems(true)
}

// gatedStream writes the first part of its answer, then waits for release
// before the rest, as a model does between tokens.
type gatedStream struct {
	Index
	release chan struct{}
}

func (g gatedStream) AskStream(ctx context.Context, q string, k int, onToken func(string)) (rag.Answer, error) {
	ans, err := g.Ask(ctx, q, k)
	if err != nil {
		return ans, err
	}
	onToken(`Written so far \[2\] `)
	select {
	case <-g.release:
	case <-ctx.Done():
		return ans, ctx.Err()
	}
	onToken("and the rest [1]")
	return ans, nil
}

// A streaming server's answer shows as it is written, its escaped markers
// as written, then is replaced by the checked answer with its citations.
func testBrowserStreaming(t *testing.T, browser context.Context) {
	release := make(chan struct{})
	b := openTab(t, browser)
	base := startServer(t, newHandler(t, gatedStream{sharedIndex(t), release}, Options{}))
	b.do("ask",
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(chromedp.ID("question"), salafism),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.CSS("#answer.streaming")),
	)
	partial, status := b.text("#answer"), b.text("#status")
	close(release)
	b.do("the rest", chromedp.WaitVisible(chromedp.CSS("#answer button.cite")))
	if !strings.HasPrefix(partial, "Written so far [2]") || status != "Writing the answer…" {
		t.Errorf("while streaming: answer %q, status %q", partial, status)
	}
	if a := b.text("#answer"); !strings.Contains(a, "Salafism") || b.shown("#answer.streaming") {
		t.Errorf("the checked answer %q did not replace the streamed text", a)
	}
	b.noProblems(false)
}

// An abstention says so, suggests asking another way, and links to the
// document list.
func testBrowserAbstention(t *testing.T, browser context.Context) {
	b := openTab(t, browser)
	base := startServer(t, newHandler(t, sharedIndex(t), Options{}))
	b.do("ask",
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(chromedp.ID("question"), unanswerable),
		chromedp.Click(chromedp.ID("ask")),
		chromedp.WaitVisible(chromedp.ID("abstain-help")),
	)
	if help := b.text("#abstain-help"); !strings.Contains(help, "another way") || !strings.Contains(help, "browse the documents") {
		t.Errorf("abstention help reads %q", help)
	}
	if b.shown("#sources-heading") || b.shown("#confidence") {
		t.Error("an abstention shows sources or a confidence")
	}
	screenshots(b, screenshotDir(t), "abstention")
	b.do("browse", chromedp.Click(chromedp.CSS("#abstain-help a.browse")), chromedp.WaitVisible(chromedp.CSS("#docs-list tr")))
	b.noProblems(false)
}

// The page keeps a conversation: a follow-up is answered in it, the
// earlier turn shows above the latest, a reload keeps both (and asks
// nothing again), 👍 and 👎 with a comment reach the history, and "New
// conversation" starts afresh.
func testBrowserConversation(t *testing.T, browser context.Context) {
	hist := openHistory(t, "")
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{})
	base := startServer(t, h)
	b := openTab(t, browser)
	askQ := func(q string, turns int) {
		t.Helper()
		b.do("ask "+q,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("question").value = ""`),
			chromedp.SendKeys(chromedp.ID("question"), q),
			chromedp.Click(chromedp.ID("ask")),
			chromedp.Poll[chromedp.Void](`document.getElementById("asked").textContent.endsWith(`+jsString(q)+`) &&
				document.querySelectorAll("#turns > li").length === `+fmt.Sprint(turns)+` &&
				document.querySelector("#feedback button.vote") !== null`, chromedp.WithPollingTimeout(20*time.Second)),
		)
	}
	b.do("load", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("question")))
	askQ(f02First, 0)
	askQ(f02FollowUp, 1)
	if a := b.text("#answer"); !strings.Contains(a, f02Answer) {
		t.Errorf("the follow-up is answered %q, want %q", a, f02Answer)
	}
	if q := b.text("#turns > li .q"); q != f02First || !b.shown("#conversation") || !b.shown("#new-conversation") {
		t.Errorf("earlier turn %q (shown %v), New conversation shown %v", q, b.shown("#conversation"), b.shown("#new-conversation"))
	}
	conv := evaluate[string](b, `sessionStorage.getItem("citebot-conversation")`)

	// 👍 on the earlier answer; 👎 with a comment on the latest.
	b.do("vote up",
		chromedp.Click(chromedp.CSS(`#turns > li button.vote[data-vote="up"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#turns > li .thanks").textContent === "Thanks for your feedback."`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	b.do("vote down",
		chromedp.Click(chromedp.CSS(`#feedback button.vote[data-vote="down"]`)),
		chromedp.WaitVisible(chromedp.CSS("#feedback textarea")),
	)
	if focused := evaluate[string](b, `document.activeElement.tagName + " " + document.querySelector('#feedback button[data-vote="down"]').getAttribute("aria-pressed") + " " + document.querySelector('#feedback button[data-vote="down"]').textContent`); focused != "TEXTAREA true 👎 Not helpful" {
		t.Errorf("after 👎: focus, aria-pressed and label %q", focused)
	}
	const comment = "It should name the army's goals in full."
	b.do("comment",
		chromedp.SendKeys(chromedp.CSS("#feedback textarea"), comment),
		chromedp.Click(chromedp.CSS(`#feedback form button[type="submit"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#feedback .thanks").textContent === "Thanks for your feedback."`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if b.shown("#feedback textarea") {
		t.Error("the comment box still shows after sending")
	}
	screenshots(b, screenshotDir(t), "conversation")
	down, err := hist.Recent(context.Background(), rag.HistoryQuery{Vote: rag.VoteDown})
	if err != nil || len(down) != 1 || down[0].Question != f02FollowUp || len(down[0].Feedback) != 1 || down[0].Feedback[0].Comment != comment {
		t.Errorf("voted down in the history: %+v %v", down, err)
	}
	up, err := hist.Recent(context.Background(), rag.HistoryQuery{Vote: rag.VoteUp})
	if err != nil || len(up) != 1 || up[0].Question != f02First {
		t.Errorf("voted up in the history: %+v %v", up, err)
	}

	// A reload shows the conversation again and asks nothing.
	b.do("reload", chromedp.Reload(), chromedp.Poll[chromedp.Void](`document.querySelectorAll("#turns > li").length === 1 && !document.getElementById("result").hidden`, chromedp.WithPollingTimeout(10*time.Second)))
	if a, q := b.text("#answer"), b.text("#turns > li .q"); !strings.Contains(a, f02Answer) || q != f02First {
		t.Errorf("after a reload: answer %q, earlier %q", a, q)
	}
	if turns := decode[conversationResponse](t, do(t, h, request{method: "GET", target: "/v1/conversations/" + conv})).Turns; len(turns) != 2 {
		t.Errorf("after a reload the conversation has %d turns, want 2", len(turns))
	}

	b.do("new conversation",
		chromedp.Click(chromedp.ID("new-conversation")),
		chromedp.WaitNotVisible(chromedp.ID("conversation")),
	)
	if st, stored := b.text("#status"), evaluate[bool](b, `sessionStorage.getItem("citebot-conversation") === null`); !strings.Contains(st, "new conversation") || !stored || b.shown("#result") {
		t.Errorf("after New conversation: status %q, conversation forgotten %v, answer shown %v", st, stored, b.shown("#result"))
	}
	askQ(salafism, 0)
	if next := evaluate[string](b, `sessionStorage.getItem("citebot-conversation")`); next == "" || next == conv {
		t.Errorf("the new conversation's id %q (the old one %q)", next, conv)
	}
	b.noProblems(false)
}

// The operators' view lists the recent questions with their answers,
// citations (linked to their documents), confidence and votes, the share
// declined per day and the answers voted down with their comments; with
// API keys it asks for one first.
func testBrowserAdmin(t *testing.T, browser context.Context) {
	const key = "adm1n-key"
	hist := openHistory(t, "")
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{APIKeys: []string{key}})
	auth := http.Header{"Authorization": {"Bearer " + key}}
	var answers []askResponse
	for _, q := range []string{salafism, unanswerable, f02First} {
		w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": q}), header: auth})
		answers = append(answers, decode[askResponse](t, w))
	}
	for _, f := range []map[string]any{
		{"answer": answers[0].ID, "vote": "up"},
		{"answer": answers[1].ID, "vote": "down", "comment": "It should say the documents are about Kazakhstan."},
	} {
		if w := do(t, h, request{method: "POST", target: "/v1/feedback", body: jsonBody(f), header: auth}); w.Code != http.StatusNoContent {
			t.Fatalf("feedback: %d %s", w.Code, w.Body)
		}
	}
	if err := h.writer.wait(context.Background(), answers[2].ID); err != nil {
		t.Fatal(err)
	}
	base := startServer(t, h)
	b := openTab(t, browser)
	b.do("load", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.ID("api-key")))
	if e := b.text("#error"); !strings.Contains(e, "API key") {
		t.Errorf("without a key the view says %q", e)
	}
	b.do("key",
		chromedp.SendKeys(chromedp.ID("api-key"), key),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#recent li.record")),
	)
	recent := evaluate[[]string](b, `[...document.querySelectorAll("#recent > li")].map((li) => li.querySelector("h3").textContent)`)
	if !slices.Equal(recent, []string{f02First, unanswerable, salafism}) {
		t.Errorf("recent questions %q, want newest first", recent)
	}
	first := `#recent > li[data-id="` + answers[0].ID + `"]`
	if tags := b.text(first + " .tags"); !strings.Contains(tags, "Confidence") || !strings.Contains(tags, "1 vote up · 0 down") {
		t.Errorf("the first answer's tags %q", tags)
	}
	if tags := b.text(`#recent > li[data-id="` + answers[1].ID + `"] .tags`); !strings.Contains(tags, "Declined") || !strings.Contains(tags, "0 votes up · 1 down") {
		t.Errorf("the declined answer's tags %q", tags)
	}
	day := evaluate[[]string](b, `[...document.querySelectorAll("#declined tr > *")].map((c) => c.textContent)`)
	if len(day) != 4 || day[0] != time.Now().UTC().Format(time.DateOnly) || day[1] != "3" || day[2] != "1" || day[3] != "33%" {
		t.Errorf("declined per day %q, want today: 3 asked, 1 declined, 33%%", day)
	}
	if down := b.text("#down"); !strings.Contains(down, unanswerable) || !strings.Contains(down, "about Kazakhstan") {
		t.Errorf("voted down %q", down)
	}
	screenshots(b, screenshotDir(t), "admin")
	href := evaluate[string](b, `document.querySelector(`+jsString(first+" .cites a")+`).getAttribute("href")`)
	if href != "/?doc="+url.QueryEscape(salafismDoc) {
		t.Errorf("the citation links to %q", href)
	}
	b.do("open the document", chromedp.Click(chromedp.CSS(first+" .cites a")), chromedp.WaitVisible(chromedp.ID("doc-text")))
	if title := b.text("#doc-title"); title != answers[0].Answer.Citations[0].Title {
		t.Errorf("the linked document is %q, want %q", title, answers[0].Answer.Citations[0].Title)
	}
	b.noProblems(true) // the 401 before the key is logged by the browser
}
