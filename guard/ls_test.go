package guard

import (
	"os/user"
	"testing"

	"github.com/portguard/portguard/detect"
)

// Windows has no UIDs: another user's holder is told by its account, and
// one whose account is unknown (Wine's every holder) is nobody else's.
func TestOtherUserByAccount(t *testing.T) {
	other := otherUserOf("windows")
	if other(detect.Holder{}) {
		t.Error("a holder with no account is called another user's")
	}
	me, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	if other(detect.Holder{User: me.Username}) {
		t.Errorf("%s's own holder is called another user's", me.Username)
	}
	if !other(detect.Holder{User: me.Username + "-not"}) {
		t.Errorf("%s-not's holder is not called another user's", me.Username)
	}
}
