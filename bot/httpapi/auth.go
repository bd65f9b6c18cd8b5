package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// apiKeys checks bearer tokens against the configured keys. Keys are kept
// only as SHA-256 digests, compared in constant time, all of them every
// time, so neither a key's length nor which key matched leaks through
// timing.
type apiKeys struct {
	digests [][sha256.Size]byte
}

func newAPIKeys(keys []string) *apiKeys {
	k := &apiKeys{}
	for _, key := range keys {
		k.digests = append(k.digests, sha256.Sum256([]byte(key)))
	}
	return k
}

// keyStatus is the outcome of checking a request's credentials.
type keyStatus int

const (
	keysOff      keyStatus = iota // no keys configured: everyone may pass
	keyValid                      // a configured key
	keyMissing                    // no Authorization header
	keyMalformed                  // an Authorization header that is not "Bearer TOKEN"
	keyInvalid                    // a bearer token that is no configured key
)

func (s keyStatus) message() string {
	switch s {
	case keyMissing:
		return "an API key is required: send Authorization: Bearer KEY"
	case keyMalformed:
		return "malformed Authorization header: send Authorization: Bearer KEY"
	default:
		return "invalid API key"
	}
}

// check returns which key r carries (an index into the configured keys)
// and the outcome.
func (k *apiKeys) check(r *http.Request) (int, keyStatus) {
	if len(k.digests) == 0 {
		return -1, keysOff
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return -1, keyMissing
	}
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return -1, keyMalformed
	}
	d := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := -1
	for i, want := range k.digests {
		if subtle.ConstantTimeCompare(d[:], want[:]) == 1 && match < 0 {
			match = i
		}
	}
	if match < 0 {
		return -1, keyInvalid
	}
	return match, keyValid
}

// challenge sets WWW-Authenticate as RFC 6750 describes.
func (k *apiKeys) challenge(w http.ResponseWriter, s keyStatus) {
	v := `Bearer realm="citebot"`
	switch s {
	case keyInvalid:
		v += `, error="invalid_token", error_description="invalid API key"`
	case keyMalformed:
		v += `, error="invalid_request"`
	}
	w.Header().Set("WWW-Authenticate", v)
}
