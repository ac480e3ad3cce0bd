package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
)

// waitForever is what a bare --wait means: no time limit.
const waitForever = "forever"

// optionalWait lets --wait stand alone, as urfave/cli flags with a value
// cannot: a bare --wait (not followed by a duration) becomes
// --wait=forever before the parser sees it.
func optionalWait(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		out = append(out, a)
		if a != "--wait" {
			continue
		}
		if i+1 < len(args) {
			if _, err := time.ParseDuration(args[i+1]); err == nil {
				continue
			}
		}
		out[len(out)-1] = "--wait=" + waitForever
	}
	return out
}

// waitLimit reads --wait: ok is false when it was not given; limit 0
// means no limit.
func waitLimit(c *cli.Context) (limit time.Duration, ok bool, err error) {
	v := c.String("wait")
	switch v {
	case "":
		return 0, false, nil
	case waitForever:
		return 0, true, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, false, usageErr("--wait %q is not a duration such as 30s or 5m", v)
	}
	return d, true, nil
}

// waitFree waits until none of held's ports is held any more, checking
// with the same cheap probe as the free path. It reports the ports still
// held when limit passed (0: none), or an interrupted failure on Ctrl-C.
func waitFree(c *cli.Context, held map[int][]detect.Holder, limit time.Duration) (map[int][]detect.Holder, error) {
	how := "Ctrl-C to stop"
	if limit > 0 {
		how = "for up to " + limit.String()
	}
	notice("%s; waiting for it to be freed (%s)", heldSentence(held), how)
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
			return nil, &failure{code: exitInterrupted, msg: fmt.Sprintf("interrupted while waiting for :%s; nothing was run", portList(held))}
		case <-tick.C:
		}
		// The cheap check, every tick; who holds the ports is already known.
		still := map[int][]detect.Holder{}
		for p, hs := range held {
			used, err := inUse(c, p)
			if err != nil {
				return nil, err
			}
			if used {
				still[p] = hs
			}
		}
		if len(still) == 0 {
			notice(":%s is free now", portList(held))
			return nil, nil
		}
		held = still
	}
}
