package httpapi

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the handler's Prometheus collectors. Route labels are route
// patterns (or "unmatched"), so their number is bounded.
type metrics struct {
	requests *prometheus.CounterVec   // by route and status code
	duration *prometheus.HistogramVec // by route
	answers  *prometheus.CounterVec   // by result: grounded or abstained
	cache    *prometheus.CounterVec   // by result: hit or miss
	feedback *prometheus.CounterVec   // by vote: up or down
	history  *prometheus.CounterVec   // failed history calls, by op
}

// historyOps are the history calls whose failures are counted; queue_full
// counts turns dropped because the writer was too far behind.
var historyOps = []string{"add_turn", "queue_full", "conversation", "feedback", "admin"}

// newRegistry is the registry of a handler given none: its metrics and the
// Go runtime's and process's.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func newMetrics(reg *prometheus.Registry, idx Index) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_requests_total",
			Help: "HTTP requests served, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_answers_total",
			Help: "Answers given over HTTP: grounded in cited passages, or abstained because the documents do not answer.",
		}, []string{"result"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_answer_cache_total",
			Help: "Questions looked up in the answer cache, by result: hit or miss.",
		}, []string{"result"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_feedback_total",
			Help: "Votes on answers taken over HTTP, by vote: up or down (counted also when the history is off or unavailable).",
		}, []string{"vote"}),
		history: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_history_errors_total",
			Help: "History calls that failed, by op (add_turn, conversation, feedback, admin), and turns dropped because the write queue was full (queue_full). Answers go on without the history.",
		}, []string{"op"}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.answers, err = register(reg, m.answers); err != nil {
		return nil, err
	}
	if m.cache, err = register(reg, m.cache); err != nil {
		return nil, err
	}
	if m.feedback, err = register(reg, m.feedback); err != nil {
		return nil, err
	}
	if m.history, err = register(reg, m.history); err != nil {
		return nil, err
	}
	// The index gauges describe the index, not this front end: another
	// front end sharing the registry and the index may have registered them.
	docs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "citebot_index_documents",
		Help: "Documents in the index.",
	}, func() float64 { d, _ := idx.Size(); return float64(d) })
	chunks := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "citebot_index_chunks",
		Help: "Chunks (passages) in the index.",
	}, func() float64 { _, c := idx.Size(); return float64(c) })
	if _, err := register(reg, docs); err != nil {
		return nil, err
	}
	if _, err := register(reg, chunks); err != nil {
		return nil, err
	}
	// Pre-create the answer series so that dashboards see zeros, not gaps.
	for _, r := range []string{"grounded", "abstained"} {
		m.answers.WithLabelValues(r)
	}
	for _, r := range []string{"hit", "miss"} {
		m.cache.WithLabelValues(r)
	}
	for _, v := range []string{"up", "down"} {
		m.feedback.WithLabelValues(v)
	}
	for _, op := range historyOps {
		m.history.WithLabelValues(op)
	}
	return m, nil
}

// register registers c, or returns the equal collector registered before
// (by another handler on the same registry).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) (C, error) {
	err := reg.Register(c)
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if old, ok := dup.ExistingCollector.(C); ok {
			return old, nil
		}
	}
	return c, err
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) answered(grounded bool) {
	if grounded {
		m.answers.WithLabelValues("grounded").Inc()
	} else {
		m.answers.WithLabelValues("abstained").Inc()
	}
}

func (m *metrics) cacheHit(hit bool) {
	if hit {
		m.cache.WithLabelValues("hit").Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}

func (m *metrics) voted(vote string) { m.feedback.WithLabelValues(vote).Inc() }

func (m *metrics) historyError(op string) { m.history.WithLabelValues(op).Inc() }
