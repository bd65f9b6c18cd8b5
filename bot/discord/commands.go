package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The slash commands and the /ask options.
const (
	cmdAsk        = "ask"
	cmdSources    = "sources"
	cmdHelp       = "help"
	optQuestion   = "question"
	optPrivate    = "private"
	questionLimit = 1000 // characters Discord lets a user type into question
)

// commands are the slash commands, usable in servers and in direct
// messages with the bot.
func commands() []*discordgo.ApplicationCommand {
	contexts := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	install := &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	return []*discordgo.ApplicationCommand{
		{
			Name:        cmdAsk,
			Description: "Ask a question about the documents; the answer cites its sources",
			Contexts:    contexts, IntegrationTypes: install,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: optQuestion, Description: "What you want to know", Required: true, MaxLength: questionLimit},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: optPrivate, Description: "Show the answer only to you"},
			},
		},
		{Name: cmdSources, Description: "List the documents I answer from", Contexts: contexts, IntegrationTypes: install},
		{Name: cmdHelp, Description: "How to ask me questions", Contexts: contexts, IntegrationTypes: install},
	}
}

// registerCommands replaces the application's commands with the bot's, in
// the configured server or globally. A refusal (401, 403) is fatal and says
// what to fix; other failures are retried a few times. It returns nil if
// ctx ends first.
func (b *Bot) registerCommands(ctx context.Context) error {
	_, appID := b.self()
	where := "globally"
	if b.opts.GuildID != "" {
		where = "in server " + b.opts.GuildID
	}
	wait := time.Second
	for attempt := 1; ; attempt++ {
		_, err := b.session.ApplicationCommandBulkOverwrite(appID, b.opts.GuildID, commands(), discordgo.WithContext(ctx))
		switch {
		case err == nil:
			b.log.Info("discord commands registered", "where", where)
			return nil
		case ctx.Err() != nil:
			return nil // shutting down
		}
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil {
			switch code := re.Response.StatusCode; {
			case code == http.StatusUnauthorized:
				return fatalError(err)
			case code == http.StatusForbidden:
				return fmt.Errorf("discord: registering slash commands %s was refused (403): invite the bot to that server with the applications.commands scope", where)
			case code >= 400 && code < 500:
				return fmt.Errorf("discord: registering slash commands %s: %w", where, err)
			}
		}
		if attempt == 3 {
			return fmt.Errorf("discord: registering slash commands %s: %w", where, err)
		}
		b.log.Warn("discord command registration failed; retrying", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait *= 2
	}
}
