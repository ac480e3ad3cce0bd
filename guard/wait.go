package guard

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/portguard/portguard/detect"
)

// WaitFree waits until none of held's ports is held any more, checking
// with the same cheap probe as the free path. It returns the ports still
// held when limit passed (0: no limit), or an interrupted failure on
// Ctrl-C.
func (g *Guard) WaitFree(held map[int][]detect.Holder, limit time.Duration) (map[int][]detect.Holder, error) {
	how := "Ctrl-C to stop"
	if limit > 0 {
		how = "for up to " + limit.String()
	}
	g.Notice("%s; waiting for it to be freed (%s)", HeldSentence(held), how)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return held, nil
			}
			return nil, fail(Interrupted, fmt.Sprintf("interrupted while waiting for :%s; nothing was run", PortList(held)))
		case <-tick.C:
		}
		// The cheap check, every tick; who holds the ports is already known.
		still := map[int][]detect.Holder{}
		for p, hs := range held {
			used, err := g.InUse(p)
			if err != nil {
				return nil, err
			}
			if used {
				still[p] = hs
			}
		}
		if len(still) == 0 {
			g.Notice(":%s is free now", PortList(held))
			return nil, nil
		}
		held = still
	}
}
