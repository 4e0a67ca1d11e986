#!/bin/sh
# .rename-h2.sh FILE.go... rewrites callers of package icmp after its split
# into icmp (ICMP messages and quotes), icmp/echo (the echo engine) and
# icmp/trace (the path engine): qualified identifiers and imports. It only
# touches files that import github.com/rawkit/rawkit/icmp, and works on
# files of any package. Delete before release.
set -eu

ICMP='github.com/rawkit/rawkit/icmp'

# old icmp.Name -> new qualified name; names not listed stay icmp.Name.
MAP='
Echo=echo.Engine
EchoConfig=echo.Config
NewEcho=echo.New
NewEchoSockets=echo.NewSockets
Stats=echo.Stats
Event=echo.Event
EventKind=echo.EventKind
EventSent=echo.EventSent
EventReply=echo.EventReply
EventDuplicate=echo.EventDuplicate
EventLost=echo.EventLost
EventError=echo.EventError
EventSendError=echo.EventSendError
DefaultInterval=echo.DefaultInterval
DefaultTimeout=echo.DefaultTimeout
FloodInterval=echo.FloodInterval
EmptyPayload=echo.EmptyPayload
Token=echo.Token
AppendEcho=echo.AppendRequest
AppendEcho6=echo.AppendRequest6
Conn=echo.Conn
Mode=echo.Mode
ModeAuto=echo.ModeAuto
ModeRaw=echo.ModeRaw
ModePing=echo.ModePing
ListenConfig=echo.ListenConfig
Socket=echo.Socket
Listen=echo.Listen
ErrNoPermission=echo.ErrNoPermission
DropPrivileges=echo.DropPrivileges
EchoFilter=echo.Filter
EchoFilter6=echo.Filter6
EchoICMPFilter=echo.ICMPFilter
EchoICMPFilter6=echo.ICMPFilter6
Path=trace.Path
NewPath=trace.New
PathConfig=trace.Config
PathEvents=trace.Events
PathSummary=trace.Summary
Hop=trace.Hop
ProbeResult=trace.ProbeResult
Method=trace.Method
MethodUDP=trace.MethodUDP
MethodICMP=trace.MethodICMP
MethodTCP=trace.MethodTCP
DefaultMaxTTL=trace.DefaultMaxTTL
DefaultQueries=trace.DefaultQueries
DefaultUDPPort=trace.DefaultUDPPort
DefaultTCPPort=trace.DefaultTCPPort
DefaultPathLength=trace.DefaultLength
DefaultPathLength6=trace.DefaultLength6
DefaultWait=trace.DefaultWait
DefaultHereFactor=trace.DefaultHereFactor
DefaultNearFactor=trace.DefaultNearFactor
MaxPathLength=trace.MaxLength
MaxQueries=trace.MaxQueries
MinPathLength=trace.MinLength
MinPathLength6=trace.MinLength6
ErrBadPathConfig=trace.ErrBadConfig
ICMPError=icmp.Error
Checksum=checksum.Checksum
'

script=$(echo "$MAP" | while IFS='=' read -r old new; do
	if [ -n "$old" ]; then
		printf 's/(^|[^[:alnum:]_.])icmp\\.%s([^[:alnum:]_]|$)/\\1%s\\2/g\n' "$old" "$new"
	fi
done)

for f in "$@"; do
	grep -q "\"$ICMP\"" "$f" || continue
	# Twice: sed does not rescan the character a match ended on.
	sed -E -i -e "$script" -e "$script" "$f"
	# A single-line import becomes a block, so lines can be added to it.
	sed -E -i "s|^import (icmp )?\"$ICMP\"\$|import (\n\t\"$ICMP\"\n)|" "$f"
	for p in echo:"$ICMP/echo" trace:"$ICMP/trace" checksum:github.com/rawkit/rawkit/internal/checksum; do
		name=${p%%:*} path=${p#*:}
		if grep -Eq "(^|[^[:alnum:]_.])$name\.[A-Z]" "$f" && ! grep -q "\"$path\"" "$f"; then
			sed -i "\|^[[:space:]]*\"$ICMP\"\$|a\\	\"$path\"" "$f"
		fi
	done
	if ! grep -Eq "(^|[^[:alnum:]_.\"/])icmp\.[A-Z]" "$f"; then
		sed -i "\|^[[:space:]]*\"$ICMP\"\$|d" "$f"
	fi
	gofmt -w "$f"
done
# goimports, when installed, drops an import left unused (a mention of
# icmp.Name in a comment keeps it above).
if command -v goimports >/dev/null 2>&1; then
	goimports -w "$@"
fi
