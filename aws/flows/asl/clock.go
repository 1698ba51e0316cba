package asl

import (
	"context"
	"sync"
	"time"
)

// Clock is the runner's time: Wait states, retry delays and timeouts use it.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock. Scale (0 or 1 = real time) multiplies every
// sleep, e.g. 0.01 makes a 35-second Wait take 350 ms; NoWait skips sleeps.
type RealClock struct {
	Scale  float64
	NoWait bool
}

// Now returns the current time.
func (c RealClock) Now() time.Time { return time.Now() }

// Sleep sleeps d (scaled) or until ctx is done.
func (c RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.NoWait {
		return ctx.Err()
	}
	if c.Scale > 0 && c.Scale != 1 {
		d = time.Duration(float64(d) * c.Scale)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FakeClock is a clock for tests: Sleep returns at once (unless ctx is
// done), advancing the fake time by d and recording d. Safe for concurrent use.
type FakeClock struct {
	// FireTimeouts makes task timeouts (TimeoutSeconds) fire at once; by
	// default they never fire on a fake clock. Set it before a run.
	FireTimeouts bool

	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewFakeClock returns a fake clock set to start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the fake time by d.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// Advance moves the fake time forward without recording a sleep.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns the durations slept so far, in order.
func (c *FakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// timeoutSleeper is implemented by clocks that time task timeouts
// differently from ordinary sleeps (FakeClock).
type timeoutSleeper interface {
	TimeoutSleep(ctx context.Context, d time.Duration) error
}

// TimeoutSleep is how a FakeClock times a task's TimeoutSeconds: when
// FireTimeouts is set, the timeout fires at once (advancing the fake time);
// otherwise it never fires. It does not record a sleep.
func (c *FakeClock) TimeoutSleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	fire := c.FireTimeouts
	c.mu.Unlock()
	if !fire {
		<-ctx.Done()
		return ctx.Err()
	}
	c.Advance(d)
	return nil
}

// TimeoutSleep times task timeouts in real time, unscaled even when Scale
// or NoWait shorten Wait states and retry delays.
func (c RealClock) TimeoutSleep(ctx context.Context, d time.Duration) error {
	return RealClock{}.Sleep(ctx, d)
}
