package discord

import (
	"encoding/binary"
	"strings"
	"testing"
)

// frame is a server's (unmasked) websocket frame.
func frame(first byte, payload string) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, 0, 0)
		binary.BigEndian.PutUint16(b[2:], uint16(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, 0, 0, 0, 0)
		binary.BigEndian.PutUint64(b[2:], uint64(n))
	}
	return append(b, payload...)
}

// The gateway connection finds the one INVALID_SESSION frame in a stream,
// however the stream is cut into reads, and not an op 9 quoted in an event.
func TestGatewayConnScan(t *testing.T) {
	var stream []byte
	stream = append(stream, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"...)
	stream = append(stream, frame(0x81, `{"op":10,"d":{"heartbeat_interval":41250}}`)...)
	stream = append(stream, frame(0x81, `{"t":"MESSAGE_CREATE","s":2,"op":0,"d":{"content":"{\"op\":9}"}}`)...)
	stream = append(stream, frame(0x81, `{"op":0,"d":"`+strings.Repeat("x", 70000)+`"}`)...)
	stream = append(stream, frame(0x89, "ping")...)
	stream = append(stream, frame(0x81, `{"t":null,"s":null,"op":9,"d":false}`)...)
	stream = append(stream, frame(0x81, `{"op":11}`)...)
	for _, size := range []int{1, 3, 7, 100, 4096, len(stream)} {
		c := &gatewayConn{}
		found, at := 0, -1
		for i := 0; i < len(stream); i += size {
			if c.scan(stream[i:min(i+size, len(stream))]) {
				found++
				at = i
			}
		}
		end := len(stream) - len(frame(0x81, `{"op":11}`))
		if found != 1 || at+size < end || at >= end {
			t.Errorf("reads of %d bytes: %d INVALID_SESSION found, in the read at %d; want 1, in the read ending the frame at %d", size, found, at, end)
		}
	}
}
