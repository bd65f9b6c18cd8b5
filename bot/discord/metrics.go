package discord

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts what the bot does.
type metrics struct {
	// questions by source (slash, mention, dm, followup) and result
	// (answered, abstained, empty, unavailable, error, rate_limited).
	questions *prometheus.CounterVec
	// feedback clicks by vote (up, down).
	feedback *prometheus.CounterVec
}

// newMetrics makes the bot's counters and registers them with reg, if not
// nil. Counters a registry already holds (a second bot in one process) are
// shared.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_discord_questions_total",
			Help: "Questions asked in Discord, by source (slash, mention, dm, followup) and result.",
		}, []string{"source", "result"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_discord_feedback_total",
			Help: "Feedback button clicks on answers in Discord, by vote (up, down).",
		}, []string{"vote"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []**prometheus.CounterVec{&m.questions, &m.feedback} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("discord: metrics: %w", err)
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, fmt.Errorf("discord: metrics: %w", err)
			}
			*c = existing
		}
	}
	return m, nil
}
