package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// RelayInterval spaces a feed's messages: at most ~15 per second.
const RelayInterval = time.Second / 15

// Feed is one source of service events: Changed signals (coalesced) that
// something changed, and Message builds the message that carries the
// change itself (e.g. a snapshot of every job), so views never have to ask
// the service again.
type Feed struct {
	Changed <-chan struct{}
	Message func() tea.Msg
}

// Relay is the goroutine that forwards one feed to the program: it sends
// f.Message() once at the start (the state before any change), then waits
// on f.Changed, sends f.Message(), and waits every before it looks again
// (changes in between are coalesced into the next message), until ctx is
// done. Call it with go; never from Update.
func Relay(ctx context.Context, send func(tea.Msg), f Feed, every time.Duration) {
	send(f.Message())
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.Changed:
		}
		send(f.Message())
		select { // changes meanwhile wait, coalesced, in the channel
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Run builds the App and its program, starts a relay per feed and the
// forwarding of opts.Events, and runs the console until the user quits or
// ctx ends. The services are the caller's to close. It returns the
// switch the user asked for (:lake, :profile, …) when that ended it: the
// caller builds the services again with the setting changed and runs the
// console anew.
func Run(ctx context.Context, opts AppOptions, progOpts ...tea.ProgramOption) (*Switch, error) {
	if opts.Context == nil {
		opts.Context = ctx
	}
	app := NewApp(opts)
	all := append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)
	p := tea.NewProgram(app, all...)
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, f := range opts.Feeds {
		wg.Go(func() { Relay(rctx, p.Send, f, RelayInterval) })
	}
	if opts.Events != nil {
		wg.Go(func() { Forward(rctx, p.Send, opts.Events) })
	}
	_, err := p.Run()
	stop()
	app.stop()
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return app.Next(), nil
}

// Forward relays other services' messages (flow events, notifications) to
// the program until ctx ends or events closes.
func Forward(ctx context.Context, send func(tea.Msg), events <-chan tea.Msg) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-events:
			if !ok {
				return
			}
			send(msg)
		}
	}
}
