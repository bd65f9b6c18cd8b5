package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running serve whether it is ready (GET /readyz) and
// returns nil only on 200, for Docker's HEALTHCHECK and compose.
func healthcheck(ctx context.Context, env Env, o *opts) error {
	addr := o.cfg.HTTP.Addr
	if o.serve.addr != "" {
		addr = o.serve.addr
	}
	url, err := readyURL(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Status    string `json:"status"`
		Error     string `json:"error"`
		Documents int    `json:"documents"`
		Chunks    int    `json:"chunks"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		why := body.Error
		if why == "" {
			why = http.StatusText(resp.StatusCode)
		}
		return fmt.Errorf("healthcheck: %s answered %d: %s", url, resp.StatusCode, why)
	}
	fmt.Fprintf(env.Stdout, "ready: %d documents, %d chunks\n", body.Documents, body.Chunks)
	return nil
}

// readyURL is /readyz on the server listening on addr, reached over
// loopback when it listens on every interface.
func readyURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("healthcheck: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
