package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"golang.org/x/term"

	"github.com/citebot/citebot/rag"
)

// conversationAsker answers a question after the earlier questions of a
// conversation (rag.Index.AskIn, and the generative index's).
type conversationAsker interface {
	AskIn(ctx context.Context, question string, earlier []string, k int) (rag.Answer, error)
}

const chatHelp = `Ask a question, then follow-ups ("And with the army?"). Commands:
  /new            start a new conversation
  /up, /down [comment]
                  vote on the last answer (kept with the history)
  /help           this text
  /quit           leave (or Ctrl-D)
`

// chat is an interactive session: questions and follow-ups answered in
// one conversation, with line editing and the questions' history on a
// terminal. Its turns and votes are kept in the history when it is on.
func chat(ctx context.Context, env Env, o *opts) error {
	idx, _, err := open(ctx, env, o, nil)
	if errors.Is(err, rag.ErrNotSaved) {
		fmt.Fprintf(env.Stderr, "citebot: warning: %v; answering from the index in memory\n", err)
		err = nil
	}
	if err != nil {
		return err
	}
	if err := checkNotEmpty(idx, o.cfg.Corpus); err != nil {
		return err
	}
	hist, err := openHistory(ctx, env, o.cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "citebot: warning: %v; this chat is not kept\n", err)
	}
	if hist != nil {
		defer hist.Close()
	}
	lines, closeLines, err := chatLines(env, o)
	if err != nil {
		return err
	}
	defer closeLines()
	docs, _ := idx.Size()
	if o.style.width > 0 {
		fmt.Fprintf(o.stdout, "%d documents indexed in %s. /help for commands.\n", docs, absPath(o.cfg.Corpus))
	}
	s := chatSession{env: env, o: o, idx: idx, hist: hist, conv: rand.Text()}
	for {
		line, err := lines()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if done := s.handle(ctx, strings.TrimSpace(line)); done {
			return nil
		}
	}
}

// chatSession is one chat's state: its conversation and last answer.
type chatSession struct {
	env     Env
	o       *opts
	idx     Index
	hist    History
	conv    string
	earlier []string
	last    string // the last answer's ID, for votes
}

// handle answers one line; it reports whether the chat is over.
func (s *chatSession) handle(ctx context.Context, line string) bool {
	w := s.o.stdout
	cmd, arg, _ := strings.Cut(line, " ")
	switch {
	case line == "":
	case cmd == "/quit" || cmd == "/exit":
		return true
	case cmd == "/help":
		io.WriteString(w, chatHelp)
	case cmd == "/new":
		s.conv, s.earlier, s.last = rand.Text(), nil, ""
		fmt.Fprintln(w, "(new conversation)")
	case cmd == "/up" || cmd == "/down":
		s.vote(ctx, strings.TrimPrefix(cmd, "/"), strings.TrimSpace(arg))
	case strings.HasPrefix(cmd, "/"):
		fmt.Fprintf(w, "unknown command %s; /help lists them\n", cmd)
	default:
		s.ask(ctx, line)
	}
	return false
}

func (s *chatSession) ask(ctx context.Context, q string) {
	var ans rag.Answer
	var err error
	if c, ok := s.idx.(conversationAsker); ok && len(s.earlier) > 0 {
		ans, err = c.AskIn(ctx, q, s.earlier, s.o.k)
	} else {
		ans, err = s.idx.Ask(ctx, q, s.o.k)
	}
	if err != nil {
		fmt.Fprintf(s.env.Stderr, "citebot: %v\n", err)
		return
	}
	printAnswer(s.o.stdout, ans, s.o.style)
	fmt.Fprintln(s.o.stdout)
	s.earlier = append(s.earlier, q)
	s.last = rand.Text()
	if s.hist != nil {
		t := rag.Turn{ID: s.last, Conversation: s.conv, Question: q, Answer: ans, Front: "cli", At: time.Now()}
		if err := s.hist.AddTurn(ctx, t); err != nil {
			fmt.Fprintf(s.env.Stderr, "citebot: warning: history: %v\n", err)
			s.last = ""
		}
	}
}

func (s *chatSession) vote(ctx context.Context, vote, comment string) {
	switch {
	case s.hist == nil:
		fmt.Fprintln(s.o.stdout, "(the history is off: votes are not kept)")
	case s.last == "":
		fmt.Fprintln(s.o.stdout, "(no answer to vote on yet)")
	default:
		err := s.hist.AddFeedback(ctx, rag.Feedback{Answer: s.last, Vote: vote, Comment: comment, At: time.Now()})
		if err != nil {
			fmt.Fprintf(s.env.Stderr, "citebot: vote not kept: %v\n", err)
			return
		}
		fmt.Fprintln(s.o.stdout, "(thanks: vote kept)")
	}
}

// chatLines returns a function that reads the next line: with line
// editing and a history of questions (in the data directory) when Stdin is
// a terminal, plainly otherwise.
func chatLines(env Env, o *opts) (next func() (string, error), closeFn func(), err error) {
	in := env.Stdin
	if in == nil {
		in = os.Stdin
	}
	if f, ok := in.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) || o.style.width == 0 {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		return func() (string, error) {
			if !sc.Scan() {
				if err := sc.Err(); err != nil {
					return "", err
				}
				return "", io.EOF
			}
			return sc.Text(), nil
		}, func() {}, nil
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          "› ",
		HistoryFile:     filepath.Join(o.cfg.Data, "chat_history"),
		InterruptPrompt: "^C",
		EOFPrompt:       "",
		AutoComplete: readline.NewPrefixCompleter(readline.PcItem("/new"), readline.PcItem("/up"),
			readline.PcItem("/down"), readline.PcItem("/help"), readline.PcItem("/quit")),
		Stdin:  in.(*os.File),
		Stdout: o.stdout,
		Stderr: o.stderr,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("chat: %w", err)
	}
	return func() (string, error) {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			return "", nil // Ctrl-C clears the line
		}
		return line, err
	}, func() { rl.Close() }, nil
}
