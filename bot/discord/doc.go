// Package discord is citebot's Discord front end: a bot, built on
// github.com/bwmarrin/discordgo, that answers /ask, /sources and /help and,
// when enabled, questions that mention it or are sent to it directly, with
// the answer's [n] markers in the text and the cited passages in an embed.
//
// The bot holds no index of its own: it asks an Answerer (a *rag.Index) and
// formats what comes back. It defers every slash command before doing any
// work, so Discord's three-second deadline holds whatever the answer costs
// or however rate limited the bot is; splits long answers into messages
// Discord accepts; and sends every message with mentions disabled, so that
// text from documents or questions can never ping anyone.
//
// A reply to one of the bot's answers is a follow-up, answered in the
// context of the questions before it (Conversational): the question and the
// replies to its answers are one conversation. With Options.History each
// answer is stored as a turn of its conversation, so that a follow-up is
// answered in context after a restart too, and the 👍/👎 buttons' votes are
// stored for the answer, a 👎 with what was wrong, asked in a form; without
// one, recent conversations are kept in memory and votes only counted.
//
// Run ends with one clear error when Discord rejects the bot for good (an
// invalid token, intents it may not use) instead of reconnecting forever,
// and otherwise keeps the gateway connected until its context ends: after
// INVALID_SESSION it waits the 1 to 5 seconds Discord asks for before
// identifying again, and it resumes on READY's resume_gateway_url, which
// discordgo alone does neither of (gateway.go). The token is never logged.
package discord
