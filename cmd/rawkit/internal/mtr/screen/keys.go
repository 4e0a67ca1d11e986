package screen

import (
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// Display modes, as mtr's d key cycles them (ui/display.h), and one more.
const (
	modeStats     = iota // the statistics table
	modeBlockmap         // . for an answer, > for a slow one
	modeStripe           // the scaled strip chart
	modeSparkline        // unicode blocks on the same scale
	modes
)

// state is what the keys change: the view, and what the screen last
// asked of the monitor. Only Run's goroutine touches it.
type state struct {
	fields                 string
	mode                   int
	dns                    bool
	showIPs                bool
	mpls                   bool
	paused                 bool
	help                   bool    // the help page is up; any key closes it
	prompt                 *string // the o key's field order being typed, or nil
	offset                 int     // first body line shown (mtr's + and - scroll)
	snaps                  []trace.MonitorSnapshot
	hostname, version, how string
}

func newState(cfg *Config) *state {
	s := &state{
		fields:   cfg.Fields,
		mode:     cfg.DisplayMode,
		dns:      !cfg.NoDNS,
		showIPs:  cfg.ShowIPs,
		mpls:     cfg.MPLS,
		hostname: cfg.Hostname,
		version:  cfg.Version,
		how:      cfg.Mode,
	}
	if s.fields == "" || CheckFields(s.fields) != nil {
		s.fields = DefaultFields
	}
	if s.mode < 0 || s.mode >= modes {
		s.mode = modeStats
	}
	return s
}

// scrollStep is how far + and - move, as mtr's display_offset.
const scrollStep = 5

// handle applies one event and reports whether the screen should end.
func (s *state) handle(ev tcell.Event, mon Monitor, scr tcell.Screen) (quit bool) {
	switch ev := ev.(type) {
	case *tcell.EventResize:
		// tcell has resized its buffers; Sync repaints every cell, as a
		// terminal that was resized may have lost or moved them.
		scr.Sync()
		return false
	case *tcell.EventKey:
		if ev.Key() == tcell.KeyCtrlC {
			return true
		}
		if s.prompt != nil {
			s.promptKey(ev, scr)
			return false
		}
		if s.help {
			s.help = false
			return false
		}
		return s.key(ev, mon, scr)
	}
	return false
}

// key is mtr's mtr_curses_keyaction for the keys rawkit has.
func (s *state) key(ev *tcell.EventKey, mon Monitor, scr tcell.Screen) (quit bool) {
	switch ev.Key() {
	case tcell.KeyCtrlL:
		scr.Sync()
		return false
	case tcell.KeyCtrlS: // mtr's 19
		s.setPaused(mon, true)
		return false
	case tcell.KeyCtrlQ: // mtr's 17
		s.setPaused(mon, false)
		return false
	case tcell.KeyDown, tcell.KeyPgDn:
		s.offset += scrollStep
		return false
	case tcell.KeyUp, tcell.KeyPgUp:
		s.offset = max(0, s.offset-scrollStep)
		return false
	case tcell.KeyRune:
	default:
		return false
	}
	switch r := ev.Rune(); r {
	case 'q', 'Q':
		return true
	case 'p', 'P':
		s.setPaused(mon, !s.paused)
	case ' ':
		s.setPaused(mon, false)
	case 'r', 'R':
		mon.Reset()
	case 'd', 'D':
		s.mode = (s.mode + 1) % modes
	case 'e', 'E':
		s.mpls = !s.mpls
	case 'n', 'N':
		s.dns = !s.dns
		mon.SetDNS(s.dns)
	case 'j', 'J':
		// mtr switches on N: with Last shown, to the jitter set.
		if strings.IndexByte(s.fields, 'N') >= 0 {
			s.fields = JitterFields
		} else {
			s.fields = DefaultFields
		}
	case 'o', 'O':
		p := ""
		s.prompt = &p
	case '?', 'h', 'H':
		s.help = true
	case '+':
		s.offset += scrollStep
	case '-':
		s.offset = max(0, s.offset-scrollStep)
	}
	return false
}

// setPaused pauses or resumes the monitor. mtr's p pauses and space
// resumes; here p also resumes a paused screen, as users expect of it.
func (s *state) setPaused(mon Monitor, paused bool) {
	if s.paused == paused {
		return
	}
	s.paused = paused
	mon.Pause(paused)
}

// promptKey edits the field order typed after o: field letters only
// (others ring the bell, as mtr does), Backspace, Enter to apply a
// non-empty order, Esc to leave it as it was.
func (s *state) promptKey(ev *tcell.EventKey, scr tcell.Screen) {
	switch ev.Key() {
	case tcell.KeyEnter:
		if *s.prompt != "" {
			s.fields = *s.prompt
		}
		s.prompt = nil
	case tcell.KeyEscape:
		s.prompt = nil
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if p := *s.prompt; p != "" {
			*s.prompt = p[:len(p)-1]
		}
	case tcell.KeyRune:
		r := ev.Rune()
		if r < 0x80 && fieldByKey(byte(r)) != nil && len(*s.prompt) < 2*len(fields) {
			*s.prompt += string(r)
		} else {
			_ = scr.Beep()
		}
	}
}
