// Package fakediscord is a fake Discord for tests: the parts of the REST API
// and the gateway that a bot uses, in memory, following Discord's published
// API (https://discord.com/developers/docs), so that a real client — such
// as github.com/bwmarrin/discordgo — can be tested end to end.
//
// REST, under /api/v{n}/: GET /gateway and /gateway/bot; PUT the
// application's global and guild commands; POST an interaction callback
// (a message, a deferral or a form, a modal);
// PATCH (and GET) an interaction's @original message; POST follow-ups to
// the interaction webhook; POST channel messages and typing. The gateway,
// a websocket at the URL GET /gateway names, says HELLO, acknowledges
// heartbeats, answers IDENTIFY with READY (or RESUME with RESUMED) and
// then dispatches the MESSAGE_CREATE and INTERACTION_CREATE events a test
// makes with Post, Invoke, Click and Submit (a form filled in, as
// MODAL_SUBMIT). Messages that answer an interaction name it in
// interaction_metadata.
//
// The fake enforces what Discord enforces and a bot is likely to get wrong:
// the bot token, privileged intents (close 4014) and intents gating which
// messages are dispatched and whether their content is included; the three
// seconds to acknowledge an interaction and acknowledging it once; the
// length limits of content (2000 UTF-16 code units) and embeds (title 256,
// description 4096, 25 fields, field name 256 and value 1024, footer 2048,
// 6000 in all); component limits; a form's limits (title 45, 1 to 5 rows
// of one text input, label 45, placeholder 100, lengths up to 4000) and
// what its inputs accept. A request Discord would refuse is
// answered with Discord's error and recorded as a violation; New fails the
// test at its end if there were any. Tests can also make a route answer 429
// with Retry-After, close the gateway with any close code, and send
// INVALID_SESSION (InvalidateSession); READY names a resume_gateway_url on
// its own path (ResumePath), and GatewayEvents lists the gateway's steps
// with their times.
//
// It is not a complete Discord: no permissions, guild state, attachments,
// reactions, threads or global rate limits.
package fakediscord
