package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/bot/cli"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/isolate"
	"github.com/citebot/citebot/rag/ragtest"
)

// With CITEBOT_TEST_MAIN set, the test binary is citebot itself, so tests
// can check exit codes and stderr of the real program.
func TestMain(m *testing.M) {
	isolate.Main(parser) // a parse child started by a test's citebot
	if os.Getenv("CITEBOT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	err            error
}

// citebot runs the command line in-process with env as the environment.
func citebot(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return result{out.String(), errb.String(), err}
}

func bundled(t *testing.T) map[string]string {
	return map[string]string{"CITEBOT_CORPUS": "../../corpus", "CITEBOT_DATA": t.TempDir()}
}

func TestAskJSON(t *testing.T) {
	env := bundled(t)
	r := citebot(t, env, "ask", "--json", "Which religious movement were the Aktobe attackers followers of?")
	if r.err != nil {
		t.Fatalf("ask: %v\n%s", r.err, r.stderr)
	}
	var ans struct {
		Question   string   `json:"question"`
		Answer     string   `json:"answer"`
		Grounded   *bool    `json:"grounded"`
		Confidence *float64 `json:"confidence"`
		Citations  []struct {
			N      int     `json:"n"`
			Source string  `json:"source"`
			Title  string  `json:"title"`
			Date   *string `json:"date"`
			Chunk  *int    `json:"chunk"`
			Score  float64 `json:"score"`
			Text   string  `json:"text"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil {
		t.Fatalf("ask --json printed %q: %v", r.stdout, err)
	}
	if ans.Grounded == nil || !*ans.Grounded || !strings.Contains(ans.Answer, "Salafism") || !strings.Contains(ans.Answer, "[1]") {
		t.Errorf("answer = %+v, want a grounded answer naming Salafism with [1]", ans)
	}
	if ans.Confidence == nil || *ans.Confidence <= 0 || *ans.Confidence > 1 {
		t.Errorf("confidence = %v, want a probability above 0 for a grounded answer", ans.Confidence)
	}
	if len(ans.Citations) == 0 || ans.Citations[0].N != 1 || ans.Citations[0].Source != "002_126ef14e62b6afb1.txt" ||
		ans.Citations[0].Title == "" || ans.Citations[0].Date == nil || ans.Citations[0].Chunk == nil || ans.Citations[0].Text == "" {
		t.Errorf("citations = %+v", ans.Citations)
	}

	// Abstention: no citations, grounded false.
	r = citebot(t, env, "ask", "--json", "Who won the 2018 FIFA World Cup?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stdout, `"grounded": false`) || !strings.Contains(r.stdout, `"citations": []`) ||
		!strings.Contains(r.stdout, `"confidence": `) {
		t.Errorf("abstention printed %s", r.stdout)
	}
}

func TestAskText(t *testing.T) {
	r := citebot(t, bundled(t), "--k", "3", "ask", "Who heads the Higher Certifying Commission?")
	if r.err == nil {
		t.Fatalf("--k before the command should be refused: %s", r.stdout)
	}
	r = citebot(t, bundled(t), "ask", "--k", "3", "Who heads the Higher Certifying Commission?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{"Prime Minister", "[1]", "001_eb89b33cf90a7b16.txt", "2012-07-12"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ask output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestGlobalFlagsBeforeCommand(t *testing.T) {
	data := t.TempDir()
	r := citebot(t, nil, "--corpus", "../../corpus", "--data="+data, "sources")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Errorf("sources listed %d lines, want 5:\n%s", n, r.stdout)
	}
}

// The development questions through the command line, as a user gets
// them, against the bar every mode shares (ragtest.CheckDevBar).
func TestEvalDevSet(t *testing.T) {
	r := citebot(t, bundled(t), "eval", "--json", "../../testdata/dev.jsonl")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var rep rag.EvalReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	ragtest.CheckDevBar(t, "command line", rep)
	for _, res := range rep.Results {
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Errorf("%s: confidence %v outside [0, 1]", res.ID, res.Confidence)
		}
	}
}

// The corpora of other kinds (testdata/other-kinds: handbooks, minutes,
// FAQs, install guides, web pages, reports) through the command line,
// each in an index of its own, against the bar the method reaches today
// (README, Evaluation), so that a change fitted to news and Wikipedia
// that loses answers elsewhere fails.
func TestEvalOtherKinds(t *testing.T) {
	var first, near, offtopic, falseAbstentions int
	for _, set := range []string{"office", "software-town", "clinic-lab-travel", "onboarding-school-api-museum", "tenant-club-recall-conference", "pool-hotel-dental-council-app", "syllabus-insurance-menu-transcript-slides-league",
		"hall-bike-surgery-migration-windfarm-expenses", "vets-charity-roof-tarnsync-ferries-gym", "runbook-history-blender-seminars-sales-cycling",
		"school-dentist-rail-benefits-league-residents", "campsite-museum-lab-planning-allergens-volunteers",
		"buses-swimming-passwords-hall-garden-outpatients", "releases-library-wedding-funrun-fleet-choir",
		"allotment-dental-library-expenses-bikes-trip", "coworking-language-court-grooming-bakery-halls",
		"pool-carclub-surgery-choir-coop-repaircafe", "leisure-tenancy-sixthform-vets-theatre-bulkywaste",
		"driving-storage-opticians-orchestra-parking-nursery", "climbing-furniture-cathedral-hair-bus-clubs",
		"vegbox-boathire-museum-cakes-pharmacy-tenants", "dance-gardenwaste-hearing-guitar-football-radio",
		"petsitting-print-woodland-ceramics-launderette-cameraclub", "housing-association-handbook"} {
		dir := filepath.Join("../../testdata/other-kinds", set)
		r := citebot(t, map[string]string{"CITEBOT_DATA": t.TempDir()}, "--corpus", filepath.Join(dir, "corpus"), "eval", "--json", filepath.Join(dir, "questions.jsonl"))
		if r.err != nil {
			t.Fatal(set, r.err, r.stderr)
		}
		var rep rag.EvalReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(set, err)
		}
		t.Logf("%s: first sentence %d/%d, declined %d/%d, false abstentions %d, failures %v",
			set, rep.FirstSentenceHit, rep.Answerable, rep.Abstained, rep.Unanswerable, rep.FalseAbstentions, rep.Failures)
		first += rep.FirstSentenceHit
		falseAbstentions += rep.FalseAbstentions
		for _, k := range rep.ByKind {
			switch k.Kind {
			case "near-miss":
				near += k.Declined
			case "offtopic":
				offtopic += k.Declined
			}
		}
	}
	for _, c := range []struct {
		name     string
		got, bar int
	}{
		{"first-sentence hits of 682", first, 453},
		{"near misses declined of 168", near, 62},
		{"off-topic declined of 158", offtopic, 146},
		// 643 before the amount rule (README, Evaluation): it declines
		// six answerable questions, five of them answered wrongly before;
		// "how much are choir subs" read as a price declines one more
		// wrong answer.
		{"answered of 682 (682 minus false abstentions)", 682 - falseAbstentions, 637},
	} {
		if c.got < c.bar {
			t.Errorf("%s = %d, want at least %d", c.name, c.got, c.bar)
		}
	}
}

// The development conversations (testdata/followups.jsonl): each follow-up
// is asked after the turns before it. The goal is every turn of
// all six right; this bar is what the method reaches today (5 of 6
// conversations, every follow-up: f06's first turn quotes the wrong
// sentence of the right document), so that it cannot slip.
func TestEvalFollowUps(t *testing.T) {
	r := citebot(t, bundled(t), "eval", "--json", "../../testdata/followups.jsonl")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var rep rag.EvalReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var followUps, right int
	for _, k := range rep.ByKind {
		if k.Kind == "follow-up" {
			followUps, right = k.Questions, k.Correct
		}
	}
	t.Logf("conversations %d/%d right, follow-ups %d/%d, failures %v", rep.ConversationsRight, rep.Conversations, right, followUps, rep.Failures)
	if rep.Conversations != 6 || followUps != 6 {
		t.Fatalf("%d conversations with %d follow-ups, want 6 and 6", rep.Conversations, followUps)
	}
	if rep.ConversationsRight < 5 || right < 6 {
		t.Errorf("conversations right %d/6 (bar 5), follow-ups right %d/6 (bar 6)", rep.ConversationsRight, right)
	}
}

// Conversations over corpora of other kinds, each follow-up asked after
// the turns before it, against the bar the method reaches today (README,
// Evaluation): testdata/other-kinds/pool-hotel-dental-council-app (a
// pool's notice, a hotel's staff handbook, a dental practice's page, a
// parish council's minutes, an app's FAQ) and
// hall-bike-surgery-migration-windfarm-expenses (a hall's hire terms, a
// bicycle's manual, a surgery's leaflet, a migration guide, a news
// report, an expenses policy in Word).
func TestEvalOtherConversations(t *testing.T) {
	for _, c := range []struct {
		set                           string
		turns, followUps              int
		firstBar, followBar, rightBar int
	}{
		{"pool-hotel-dental-council-app", 16, 26, 13, 19, 8},
		{"hall-bike-surgery-migration-windfarm-expenses", 12, 26, 8, 18, 4},
		{"vets-charity-roof-tarnsync-ferries-gym", 10, 26, 6, 11, 2},
		// 15 follow-ups once, one of them right by a misreading: "is it
		// being recorded?" after "who's giving that talk?" read "giving"
		// as the subject; a who-question lends none now. 15 again since
		// "by when?" asks for a date.
		{"runbook-history-blender-seminars-sales-cycling", 10, 29, 7, 15, 3},
		{"school-dentist-rail-benefits-league-residents", 10, 28, 10, 19, 5},
		{"campsite-museum-lab-planning-allergens-volunteers", 10, 28, 5, 13, 0},
		{"buses-swimming-passwords-hall-garden-outpatients", 12, 34, 8, 15, 0},
		{"releases-library-wedding-funrun-fleet-choir", 12, 35, 7, 15, 1},
		{"allotment-dental-library-expenses-bikes-trip", 12, 39, 6, 23, 1},
		{"coworking-language-court-grooming-bakery-halls", 12, 37, 8, 25, 2},
		{"pool-carclub-surgery-choir-coop-repaircafe", 12, 40, 4, 23, 1},
		{"leisure-tenancy-sixthform-vets-theatre-bulkywaste", 12, 51, 7, 23, 0},
		{"driving-storage-opticians-orchestra-parking-nursery", 12, 37, 6, 18, 1},
		{"climbing-furniture-cathedral-hair-bus-clubs", 12, 38, 4, 22, 0},
		{"vegbox-boathire-museum-cakes-pharmacy-tenants", 12, 38, 5, 15, 0},
		{"dance-gardenwaste-hearing-guitar-football-radio", 12, 40, 6, 16, 0},
		{"petsitting-print-woodland-ceramics-launderette-cameraclub", 12, 39, 7, 16, 2},
		{"housing-association-handbook", 12, 37, 4, 16, 1},
	} {
		dir := filepath.Join("../../testdata/other-kinds", c.set)
		r := citebot(t, map[string]string{"CITEBOT_DATA": t.TempDir()}, "--corpus", filepath.Join(dir, "corpus"), "eval", "--json", filepath.Join(dir, "conversations.jsonl"))
		if r.err != nil {
			t.Fatal(r.err, r.stderr)
		}
		var rep rag.EvalReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		right := map[string]int{}
		for _, k := range rep.ByKind {
			right[k.Kind] = k.Correct
		}
		t.Logf("%s: conversations %d/%d right, first turns %d/%d, follow-ups %d/%d, failures %v",
			c.set, rep.ConversationsRight, rep.Conversations, right["first turn"], c.turns, right["follow-up"], c.followUps, rep.Failures)
		if right["first turn"] < c.firstBar || right["follow-up"] < c.followBar || rep.ConversationsRight < c.rightBar {
			t.Errorf("%s: first turns right %d/%d (bar %d), follow-ups right %d/%d (bar %d), conversations right %d (bar %d)",
				c.set, right["first turn"], c.turns, c.firstBar, right["follow-up"], c.followUps, c.followBar, rep.ConversationsRight, c.rightBar)
		}
	}
}

func TestIngestJSON(t *testing.T) {
	env := bundled(t)
	r := citebot(t, env, "ingest", "--json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"added", "updated", "removed", "unchanged", "documents", "chunks"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("ingest --json lacks %q: %s", k, r.stdout)
		}
	}
	if rep["added"] != 5.0 || rep["documents"] != 5.0 {
		t.Errorf("first ingest = %s", r.stdout)
	}
	r = citebot(t, env, "ingest", "--json")
	if !strings.Contains(r.stdout, `"unchanged": 5`) || !strings.Contains(r.stdout, `"added": 0`) {
		t.Errorf("second ingest = %s", r.stdout)
	}
}

func TestSkippedFileWarns(t *testing.T) {
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "a.txt"), []byte("Comet Watch\n\nThe comet passed closest to the Sun in early March."), 0o644)
	os.WriteFile(filepath.Join(corpus, "b.key"), []byte("PK\x03\x04 not supported"), 0o644)
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir()}
	r := citebot(t, env, "sources")
	if r.err != nil {
		t.Fatal(r.err)
	}
	const warning = "warning: skipped b.key: unsupported file type"
	if !strings.Contains(r.stderr, warning) {
		t.Errorf("stderr = %q, want a warning naming b.key", r.stderr)
	}
	if !strings.Contains(r.stdout, "a.txt") || strings.Contains(r.stdout, "b.key") {
		t.Errorf("sources = %q", r.stdout)
	}
	// Unchanged, it is not warned of again above every answer; ingest
	// names it again, and so does any change to it.
	if r := citebot(t, env, "ask", "When did the comet pass the Sun?"); r.err != nil || strings.Contains(r.stderr, "b.key") {
		t.Errorf("second run: %v, stderr %q, want no warning", r.err, r.stderr)
	}
	if r := citebot(t, env, "ingest"); r.err != nil || !strings.Contains(r.stderr, warning) {
		t.Errorf("ingest: %v, stderr %q, want the warning", r.err, r.stderr)
	}
	os.WriteFile(filepath.Join(corpus, "b.key"), []byte("PK\x03\x04 changed"), 0o644)
	if r := citebot(t, env, "sources"); r.err != nil || !strings.Contains(r.stderr, warning) {
		t.Errorf("after a change: %v, stderr %q, want the warning", r.err, r.stderr)
	}
}

func TestBadInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		usage bool
		want  string
	}{
		{"empty question", nil, []string{"ask", "  "}, false, "empty question"},
		{"no question", nil, []string{"ask"}, true, "takes one QUESTION"},
		{"unknown command", nil, []string{"frobnicate"}, true, "unknown command"},
		{"typo", nil, []string{"serach", "gun shops"}, true, `unknown command "serach"; did you mean search?`},
		{"flag after the question", nil, []string{"ask", "why?", "--k", "3"}, true, `flags go before the question: citebot ask --k 3 "why?"`},
		{"flag after the files", nil, []string{"add", "a.txt", "--replace"}, true, `flags go before the file: citebot add --replace "a.txt"`},
		{"bad flag", nil, []string{"ask", "--nope", "q"}, true, "flag provided but not defined"},
		{"missing corpus", map[string]string{"CITEBOT_CORPUS": "/nonexistent/corpus"}, []string{"ask", "why?"}, false, "corpus directory not found: /nonexistent/corpus"},
		{"data dir is a file", map[string]string{"CITEBOT_CORPUS": "../../corpus", "CITEBOT_DATA": file}, []string{"ask", "why?"}, false, "data dir"},
		{"bad k", map[string]string{"CITEBOT_K": "many"}, []string{"sources"}, false, `CITEBOT_K: "many" is not a whole number`},
		{"k out of range", nil, []string{"ask", "--k", "0", "why?"}, true, "--k 0"},
		{"bad config file", map[string]string{"CITEBOT_CONFIG": file}, []string{"sources"}, false, "config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"CITEBOT_CORPUS": "../../corpus", "CITEBOT_DATA": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			r := citebot(t, env, tt.args...)
			if r.err == nil {
				t.Fatalf("no error; stdout %q", r.stdout)
			}
			if errors.Is(r.err, cli.ErrUsage) != tt.usage {
				t.Errorf("usage error = %v, want %v (%v)", !tt.usage, tt.usage, r.err)
			}
			if !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", r.err, tt.want)
			}
		})
	}
}

// The real program prints one line on stderr and exits non-zero; never a
// stack trace.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"ask", ""}, 1},
		{[]string{"--corpus", "/nonexistent", "ask", "why?"}, 1},
		{[]string{"nope"}, 2},
		{[]string{"serach", "x"}, 2},
		{[]string{"ask", "--nope", "x"}, 2},
	}
	for _, tt := range tests {
		cmd := exec.Command(os.Args[0], tt.args...)
		cmd.Env = append(os.Environ(), "CITEBOT_TEST_MAIN=1", "CITEBOT_DATA="+t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
			t.Errorf("%v: exit %v, want %d", tt.args, err, tt.code)
		}
		// A usage error may add where to read the usage, on a second line.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) > tt.code {
			t.Errorf("%v: %d lines on stderr, want at most %d:\n%s", tt.args, len(lines), tt.code, stderr.String())
		}
		if !strings.HasPrefix(lines[0], "citebot: ") || strings.Contains(stderr.String(), "goroutine") {
			t.Errorf("%v: stderr = %q", tt.args, stderr.String())
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "citebot.yaml")
	os.WriteFile(cfg, []byte("corpus: /from/file\nk: 7\n"), 0o644)
	data := t.TempDir()
	// file < env < flag: the flag's corpus wins.
	r := citebot(t, map[string]string{"CITEBOT_CONFIG": cfg, "CITEBOT_CORPUS": "/from/env", "CITEBOT_DATA": data},
		"sources", "--corpus", "../../corpus")
	if r.err != nil {
		t.Fatalf("flag did not override env and file: %v", r.err)
	}
	r = citebot(t, map[string]string{"CITEBOT_CONFIG": cfg, "CITEBOT_CORPUS": "/from/env", "CITEBOT_DATA": data}, "sources")
	if r.err == nil || !strings.Contains(r.err.Error(), "/from/env") {
		t.Errorf("env did not override file: %v", r.err)
	}
	os.WriteFile(cfg, []byte("corpus: ../../corpus\nchunk_size: 50\nbogus: 1\n"), 0o644)
	r = citebot(t, map[string]string{"CITEBOT_CONFIG": cfg, "CITEBOT_DATA": data}, "sources")
	if r.err == nil || !strings.Contains(r.err.Error(), "bogus") {
		t.Errorf("unknown key not reported: %v", r.err)
	}
}

// `citebot ask` whose snapshot cannot be saved (the data directory's lock
// is a directory, so the save fails, root or not) answers from the index in
// memory: exit 0, the answer on stdout, one warning on stderr, and no
// snapshot written.
func TestAskWhenSaveFails(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "comet.txt"), []byte("Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(data, "lock"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "ask", "How long was the comet's tail?")
	cmd.Env = append(os.Environ(), "CITEBOT_TEST_MAIN=1", "CITEBOT_CORPUS="+corpus, "CITEBOT_DATA="+data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ask: %v, want exit 0\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "ten million") || !strings.Contains(stdout.String(), "comet.txt") {
		t.Errorf("stdout = %q, want the answer from comet.txt", stdout.String())
	}
	warning := strings.TrimSpace(stderr.String())
	if !strings.HasPrefix(warning, "citebot: warning: ") || !strings.Contains(warning, "not saved") ||
		!strings.Contains(warning, "answering from the index in memory") || strings.Contains(warning, "\n") {
		t.Errorf("stderr = %q, want one warning that the snapshot was not saved", warning)
	}
	if _, err := os.Stat(filepath.Join(data, rag.SnapshotFile)); err == nil {
		t.Error("a snapshot was written through a lock that cannot be taken")
	}
}
