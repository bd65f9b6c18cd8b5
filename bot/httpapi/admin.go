package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/citebot/citebot/rag"
)

// The operators' view: /admin is a page that reads the history through
// the JSON routes under /v1/admin — recent questions with their answers
// and votes, the share declined per day, the answers voted down. A page
// opened by navigation cannot send an Authorization header, so /admin
// itself holds no data: its script asks for an API key where the server
// has keys, and sends it to /v1/admin as the question page sends it to
// the API.
//
// Who may look: with API keys, a client with a key (and anyone may load
// the empty page); without, only this machine (loopback), as for writes.
// Behind a reverse proxy on the same machine every client is loopback:
// give such a server API keys.

// Limits of the admin routes' parameters.
const (
	defaultAdminLimit = 50
	maxAdminLimit     = 500
	defaultAdminDays  = 30
	maxAdminDays      = 366
)

// requireAdmin lets a request through where the operators' view may be
// seen: with API keys (guard has checked the key), or from loopback.
func (h *Handler) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(h.opts.APIKeys) == 0 && !loopbackClient(r) {
			writeError(w, r, http.StatusForbidden, "without API keys, the operators' view is open only to this machine (loopback)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adminPage answers GET /admin with the operators' page.
func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, "admin.html")
}

// recordsResponse is the body of GET /v1/admin/recent and
// /v1/admin/feedback.
type recordsResponse struct {
	Records []rag.Record `json:"records"`
}

// declinedResponse is the body of GET /v1/admin/declined-per-day.
type declinedResponse struct {
	Since string        `json:"since"` // YYYY-MM-DD, UTC: the first day counted
	Days  []rag.DayStat `json:"days"`  // oldest first; days without questions left out
}

// adminRecent answers GET /v1/admin/recent?limit=50&vote=down: the latest
// questions, newest first, with their answers, votes and feedback.
func (h *Handler) adminRecent(w http.ResponseWriter, r *http.Request) {
	h.adminRecords(w, r, "")
}

// adminFeedback answers GET /v1/admin/feedback?vote=down&limit=50: the
// answers voted down (or up), newest first, with their comments.
func (h *Handler) adminFeedback(w http.ResponseWriter, r *http.Request) {
	h.adminRecords(w, r, rag.VoteDown)
}

func (h *Handler) adminRecords(w http.ResponseWriter, r *http.Request, vote string) {
	query, ok := adminQuery(w, r)
	if !ok {
		return
	}
	limit, ok := intParam(w, r, query, "limit", defaultAdminLimit, 1, maxAdminLimit)
	if !ok || !h.historyOn(w, r) {
		return
	}
	if v := query.Get("vote"); v != "" {
		if v != rag.VoteUp && v != rag.VoteDown {
			writeError(w, r, http.StatusBadRequest, `vote must be "up" or "down"`)
			return
		}
		vote = v
	}
	recs, err := h.hist.Recent(r.Context(), rag.HistoryQuery{Vote: vote, Limit: limit})
	if err != nil {
		h.adminFailed(w, r, err)
		return
	}
	if recs == nil {
		recs = []rag.Record{}
	}
	writeJSON(w, r, http.StatusOK, recordsResponse{Records: recs})
}

// adminDeclined answers GET /v1/admin/declined-per-day?days=30: per UTC
// day of the last days (today included), the questions asked and those
// declined.
func (h *Handler) adminDeclined(w http.ResponseWriter, r *http.Request) {
	query, ok := adminQuery(w, r)
	if !ok {
		return
	}
	days, ok := intParam(w, r, query, "days", defaultAdminDays, 1, maxAdminDays)
	if !ok || !h.historyOn(w, r) {
		return
	}
	y, m, d := h.now().Date()
	since := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	stats, err := h.hist.DeclinedPerDay(r.Context(), since)
	if err != nil {
		h.adminFailed(w, r, err)
		return
	}
	if stats == nil {
		stats = []rag.DayStat{}
	}
	writeJSON(w, r, http.StatusOK, declinedResponse{Since: since.Format(time.DateOnly), Days: stats})
}

// adminFailed answers a failed history read and counts it.
func (h *Handler) adminFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() == nil {
		h.metrics.historyError("admin")
	}
	h.historyFailed(w, r, err)
}

// historyOn answers 501 when the history is off.
func (h *Handler) historyOn(w http.ResponseWriter, r *http.Request) bool {
	if h.hist == nil {
		writeError(w, r, http.StatusNotImplemented, "the history is off: this server keeps no questions, answers or feedback")
		return false
	}
	return true
}

func adminQuery(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "the query string is malformed: "+err.Error())
		return nil, false
	}
	return query, true
}

// intParam reads an integer query parameter in lo..hi, def when absent.
func intParam(w http.ResponseWriter, r *http.Request, query url.Values, name string, def, lo, hi int) (int, bool) {
	s := query.Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		writeError(w, r, http.StatusBadRequest, name+" must be an integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		return 0, false
	}
	return n, true
}
