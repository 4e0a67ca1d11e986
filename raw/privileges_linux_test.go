package raw

import (
	"errors"
	"os"
	"testing"
)

// TestParseSudoIDs: the IDs a drop under sudo switches to are checked,
// never truncated or defaulted: a bad value must fail the drop rather
// than leave the process root (4294967296 as a 32-bit uid is 0).
func TestParseSudoIDs(t *testing.T) {
	for _, tt := range []struct {
		uid, gid         string
		wantUID, wantGID int
		wantSudo         bool
		bad              bool
	}{
		{uid: "1000", gid: "1000", wantUID: 1000, wantGID: 1000, wantSudo: true},
		{uid: "65534", gid: "65534", wantUID: 65534, wantGID: 65534, wantSudo: true},
		{uid: "4294967294", gid: "7", wantUID: 4294967294, wantGID: 7, wantSudo: true},
		{uid: "0", gid: "0"}, // sudo run by root: nobody to become
		{uid: "abc", gid: "1000", bad: true},
		{uid: "4294967296", gid: "1000", bad: true},
		{uid: "4294967295", gid: "1000", bad: true}, // (uid_t)-1: "unchanged"
		{uid: "1000", gid: "4294967296", bad: true},
		{uid: "-1", gid: "1000", bad: true},
		{uid: "+1000", gid: "1000", bad: true},
		{uid: " 1000", gid: "1000", bad: true},
		{uid: "0x10", gid: "1000", bad: true},
		{uid: "1000", gid: "", bad: true},
		{uid: "", gid: "1000", bad: true},
		{uid: "99999999999999999999999", gid: "1", bad: true},
	} {
		uid, gid, sudo, err := parseSudoIDs(tt.uid, tt.gid)
		if tt.bad {
			if err == nil || !errors.Is(err, os.ErrInvalid) {
				t.Errorf("SUDO_UID=%q SUDO_GID=%q: uid %d gid %d sudo %v err %v, want an os.ErrInvalid error",
					tt.uid, tt.gid, uid, gid, sudo, err)
			}
			continue
		}
		if err != nil || uid != tt.wantUID || gid != tt.wantGID || sudo != tt.wantSudo {
			t.Errorf("SUDO_UID=%q SUDO_GID=%q: uid %d gid %d sudo %v err %v, want %d %d %v",
				tt.uid, tt.gid, uid, gid, sudo, err, tt.wantUID, tt.wantGID, tt.wantSudo)
		}
	}
}
