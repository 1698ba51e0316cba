package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/jobs"
)

// relayInterval spaces JobsChanged messages: at most ~15 per second.
const relayInterval = time.Second / 15

// Relay is the one goroutine that forwards service events to the program:
// it waits on m.Changed and sends JobsChanged, at most ~15 times a second
// (changes in between are coalesced into the next message), until ctx is
// done. Call it with go; never from Update.
func Relay(ctx context.Context, p *tea.Program, m *jobs.Manager) {
	if p == nil || m == nil {
		return
	}
	relay(ctx, p.Send, m.Changed(), relayInterval)
}

func relay(ctx context.Context, send func(tea.Msg), changed <-chan struct{}, every time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		send(JobsChanged{})
		select { // changes meanwhile wait, coalesced, in the channel
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Run builds the App and its program, starts the relay, runs the console
// until the user quits or ctx ends, then cancels the jobs and waits for
// them to stop (Services.Jobs.Close).
func Run(ctx context.Context, opts AppOptions, progOpts ...tea.ProgramOption) error {
	app := NewApp(opts)
	all := append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)
	p := tea.NewProgram(app, all...)
	m := app.svc.Jobs
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if m != nil {
		wg.Go(func() { Relay(rctx, p, m) })
	}
	if opts.Events != nil {
		wg.Go(func() { forward(rctx, p.Send, opts.Events) })
	}
	_, err := p.Run()
	stop()
	wg.Wait()
	if m != nil {
		m.Close()
	}
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// forward relays other services' messages to the program until ctx ends.
func forward(ctx context.Context, send func(tea.Msg), events <-chan tea.Msg) {
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
