package fakediscord

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// Gateway intents the fake knows about.
const (
	intentGuildMembers   = 1 << 1
	intentGuildPresences = 1 << 8
	intentGuildMessages  = 1 << 9
	intentDirectMessages = 1 << 12
	intentMessageContent = 1 << 15
	knownIntents         = 1<<17 - 1 | 1<<20 | 1<<21 | 1<<24 | 1<<25
	privilegedIntents    = intentGuildMembers | intentGuildPresences | intentMessageContent
)

// closeReasons are the texts Discord sends with its close codes.
var closeReasons = map[int]string{
	4000: "Unknown error.",
	4001: "Unknown opcode.",
	4002: "Error while decoding payload.",
	4003: "Not authenticated.",
	4004: "Authentication failed.",
	4005: "Already authenticated.",
	4007: "Invalid seq.",
	4008: "Rate limited.",
	4009: "Session timed out.",
	4010: "Invalid shard.",
	4011: "Sharding required.",
	4012: "Invalid API version.",
	4013: "Invalid intent(s).",
	4014: "Disallowed intent(s).",
}

// fatalClose reports the close codes after which Discord says not to
// reconnect.
func fatalClose(code int) bool {
	switch code {
	case 4004, 4010, 4011, 4012, 4013, 4014:
		return true
	}
	return false
}

// gatewaySession is one websocket connection to the gateway.
type gatewaySession struct {
	conn    *websocket.Conn
	path    string
	wmu     sync.Mutex // one writer at a time
	id      string     // session id, once identified or resumed
	intents int
	seq     int64
	ended   bool // closed by the server: later read errors are not the client's
}

func (g *gatewaySession) send(op int, t string, seq int64, d any) error {
	p := map[string]any{"op": op, "d": d, "s": nil, "t": nil}
	if op == opDispatch {
		p["s"], p["t"] = seq, t
	}
	g.wmu.Lock()
	defer g.wmu.Unlock()
	g.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return g.conn.WriteJSON(p)
}

// close ends the connection with a close code, as Discord does.
func (g *gatewaySession) close(code int, reason string) error {
	if reason == "" {
		reason = closeReasons[code]
	}
	err := g.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	return errors.Join(err, g.conn.Close())
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway speaks the gateway protocol on one connection: HELLO, then
// heartbeats and their ACKs, IDENTIFY or RESUME, and the events tests
// dispatch.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if enc := r.URL.Query().Get("encoding"); enc != "" && enc != "json" {
		http.Error(w, "only encoding=json", http.StatusBadRequest)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g := &gatewaySession{conn: conn, path: r.URL.Path}
	defer conn.Close()
	s.mu.Lock()
	s.eventLocked("connect", g)
	s.mu.Unlock()
	if err := g.send(opHello, "", 0, map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}); err != nil {
		return
	}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			s.gatewayGone(g, err)
			return
		}
		var p payload
		if err := json.Unmarshal(data, &p); err != nil {
			s.endSession(g, 4002)
			return
		}
		switch p.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.heartbeats++
			s.notify()
			s.mu.Unlock()
			if err := g.send(opHeartbeatACK, "", 0, nil); err != nil {
				return
			}
		case opIdentify:
			if !s.identify(g, p.D) {
				return
			}
		case opResume:
			if !s.resume(g, p.D) {
				return
			}
		case opPresence, opVoiceState, opRequestMembers:
			if g.id == "" {
				s.endSession(g, 4003)
				return
			}
		default:
			s.endSession(g, 4001)
			return
		}
	}
}

// gatewayGone notes a connection the bot closed or lost.
func (s *Server) gatewayGone(g *gatewaySession, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.ended {
		return
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		s.clientCloses = append(s.clientCloses, ce.Code)
		if ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway {
			delete(s.sessions, g.id) // Discord ends the session: no resuming it
		}
	}
	if s.gw == g {
		s.gw = nil
	}
	s.notify()
}

// endSession closes a connection with a close code.
func (s *Server) endSession(g *gatewaySession, code int) {
	s.mu.Lock()
	g.ended = true
	if s.gw == g {
		s.gw = nil
	}
	s.notify()
	s.mu.Unlock()
	g.close(code, "")
}

func (s *Server) identify(g *gatewaySession, d json.RawMessage) bool {
	var id struct {
		Token   string `json:"token"`
		Intents *int   `json:"intents"`
	}
	s.mu.Lock()
	s.identifies++
	s.eventLocked("identify", g)
	s.mu.Unlock()
	switch err := json.Unmarshal(d, &id); {
	case err != nil:
		s.endSession(g, 4002)
		return false
	case g.id != "":
		s.endSession(g, 4005)
		return false
	case s.opts.CloseOnIdentify != 0:
		s.endSession(g, s.opts.CloseOnIdentify)
		return false
	case strings.TrimPrefix(id.Token, "Bot ") != s.opts.Token:
		s.endSession(g, 4004)
		return false
	case id.Intents == nil || *id.Intents&^knownIntents != 0:
		s.endSession(g, 4013)
		return false
	}
	allowed := 0
	if s.opts.MessageContent {
		allowed = intentMessageContent
	}
	if *id.Intents&privilegedIntents&^allowed != 0 {
		s.endSession(g, 4014)
		return false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	g.id, g.intents, g.seq = s.newID(), *id.Intents, 0
	s.sessions[g.id] = true
	if old := s.gw; old != nil && old != g {
		old.ended = true
		go old.close(4000, "")
	}
	s.gw = g
	flags := 0
	if s.opts.MessageContent {
		flags = 1 << 19 // GATEWAY_MESSAGE_CONTENT_LIMITED
	}
	ready := map[string]any{
		"v": 9, "user": s.Bot, "session_id": g.id, "resume_gateway_url": s.resumeURL(),
		"guilds": []any{}, "private_channels": []any{}, "shard": []int{0, 1},
		"application": map[string]any{"id": s.AppID, "flags": flags},
	}
	err := s.dispatchLocked("READY", ready)
	return err == nil
}

func (s *Server) resume(g *gatewaySession, d json.RawMessage) bool {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &rs); err != nil {
		s.endSession(g, 4002)
		return false
	}
	if strings.TrimPrefix(rs.Token, "Bot ") != s.opts.Token {
		s.endSession(g, 4004)
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eventLocked("resume", g)
	if !s.sessions[rs.SessionID] {
		// Not resumable: the client must identify anew.
		s.eventLocked("invalid_session", g)
		return g.send(opInvalidSession, "", 0, false) == nil
	}
	g.id, g.seq = rs.SessionID, rs.Seq
	for _, old := range []*gatewaySession{s.gw} {
		if old != nil && old != g {
			old.ended = true
			go old.close(4000, "")
		}
	}
	s.gw = g
	return s.dispatchLocked("RESUMED", map[string]any{}) == nil
}

// dispatchLocked sends an event to the connected session; s.mu must be
// held.
func (s *Server) dispatchLocked(event string, d any) error {
	g := s.gw
	if g == nil {
		return errors.New("fakediscord: no bot is connected to the gateway")
	}
	g.seq++
	s.notify()
	return g.send(opDispatch, event, g.seq, d)
}
