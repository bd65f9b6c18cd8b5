package discord_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/bot/discord/fakediscord"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

// The test corpus: facts no other document states, so that each question
// has one right passage.
var corpus = map[string]string{
	"lighthouse.txt": "The Port Elin Lighthouse\n\nMarch 4, 1998\n\n" +
		"The Port Elin lighthouse was designed by the engineer Mara Quist and first lit in 1872. " +
		"Its lamp could be seen from twenty-two nautical miles away. " +
		"Keepers lived in the cottage beside the tower until the light was automated in 1961.\n",
	"orchard.txt": "Apple Growing in the Vale\n\n" +
		"The Vale orchards grow forty varieties of apple. " +
		"Harvest begins in late September, when pickers arrive from the nearby villages. " +
		"Cider from the orchards is pressed in the old mill on Brook Street.\n",
	"museum.txt": "Harbour Museum Opening Hours\n\n" +
		"@everyone please note: the harbour museum is closed on Mondays for cleaning.\n\n" +
		"Guided tours of the harbour museum start at ten o'clock on Saturdays.\n",
}

// newIndex builds the real index, as cmd/citebot wires it, over a temporary
// copy of the test corpus.
func newIndex(t testing.TB) *rag.Index {
	t.Helper()
	dir := t.TempDir()
	for name, text := range corpus {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ragtest.New(t, dir)
}

// fixedAnswerer answers every question with the same answer, and records
// the questions it was asked.
type fixedAnswerer struct {
	answer rag.Answer
	docs   []rag.DocumentInfo

	mu    sync.Mutex
	asked []string
}

func (f *fixedAnswerer) Ask(_ context.Context, q string, _ int) (rag.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, q)
	a := f.answer
	a.Question = q
	return a, nil
}

func (f *fixedAnswerer) Documents() []rag.DocumentInfo { return f.docs }

// recorder wraps an Answerer and records the questions put to it.
type recorder struct {
	discord.Answerer
	mu    sync.Mutex
	asked []string
}

func (r *recorder) Ask(ctx context.Context, q string, k int) (rag.Answer, error) {
	r.mu.Lock()
	r.asked = append(r.asked, q)
	r.mu.Unlock()
	return r.Answerer.Ask(ctx, q, k)
}

func (r *recorder) questions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.asked...)
}

// syncBuffer is a log destination safe for the bot's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	guild   = "700000000000000001"
	general = "700000000000000010" // an allowed channel
	random  = "700000000000000020" // a channel the bot does not answer in
	dmChan  = "700000000000000030"
)

var (
	alice    = fakediscord.User{ID: "800000000000000001", Username: "alice"}
	bob      = fakediscord.User{ID: "800000000000000002", Username: "bob"}
	otherBot = fakediscord.User{ID: "800000000000000003", Username: "otherbot", Bot: true}
)

// running is a bot connected to a fake Discord.
type running struct {
	fake     *fakediscord.Server
	bot      *discord.Bot
	logs     *syncBuffer
	registry *prometheus.Registry
	stop     func() error // ends Run and returns its error
}

// start runs a bot with opts against a fake Discord with fo, and waits until
// it is connected and has registered its commands (in opts.GuildID, or
// globally). The bot is stopped, and
// its Run must return nil, at the end of the test.
func start(t *testing.T, a discord.Answerer, fo fakediscord.Options, opts discord.Options) *running {
	t.Helper()
	return startOn(t, fakediscord.New(t, fo), a, opts)
}

// startOn is start against a fake Discord already running: a bot started
// again after another stopped, as after a restart.
func startOn(t *testing.T, fake *fakediscord.Server, a discord.Answerer, opts discord.Options) *running {
	t.Helper()
	identified, _, _ := fake.Gateway()
	r := &running{fake: fake, logs: &syncBuffer{}, registry: prometheus.NewRegistry()}
	opts.Token = fake.Token()
	opts.APIBase = fake.URL
	opts.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Registerer = r.registry
	b, err := discord.New(a, opts)
	if err != nil {
		t.Fatal(err)
	}
	r.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(20 * time.Second):
				runErr = errors.New("Run did not return within 20s of its context ending")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
		if strings.Contains(r.logs.String(), fake.Token()) {
			t.Errorf("the token appears in the logs:\n%s", r.logs)
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", r.logs)
		}
	})
	ok := fake.WaitFor(5*time.Second, func() bool {
		n, _, _ := fake.Gateway()
		return n > identified && fake.Ready() && len(fake.Commands(opts.GuildID)) > 0
	})
	if !ok {
		select {
		case err := <-errc:
			t.Fatalf("Run returned before the bot was ready: %v", err)
		default:
			t.Fatalf("the bot did not connect and register its commands within 5s; log:\n%s", r.logs)
		}
	}
	return r
}

// counter returns the value of a counter with the given label pairs.
func (r *running) counter(name string, labels ...string) float64 {
	mfs, err := r.registry.Gather()
	if err != nil {
		return -1
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k := 0; k+1 < len(labels); k += 2 {
				if have[labels[k]] != labels[k+1] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// wantCounter waits for a counter to reach want: the bot counts a question
// after its reply is sent, so just after the fake has it.
func (r *running) wantCounter(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := r.counter(name, labels...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s%v = %v, want %v", name, labels, got, want)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
