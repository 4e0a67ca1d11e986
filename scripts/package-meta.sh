#!/usr/bin/env bash
# Writes the metadata of the Debian package that scripts/package.sh
# builds into ROOT: DEBIAN/control, the maintainer scripts, and in
# usr/share/doc/rawkit the copyright file (machine-readable, per Debian
# policy 12.5) and the changelogs.
#
#   scripts/package-meta.sh ROOT VERSION ARCH COMMIT [UNIT...]
set -euo pipefail
cd "${0%/*}/.."
[ $# -ge 4 ] || {
	echo "usage: scripts/package-meta.sh ROOT VERSION ARCH COMMIT [UNIT...]" >&2
	exit 2
}
root=$1 version=$2 arch=$3 commit=$4
shift 4
units=("$@")
maintainer="The rawkit Authors <rawkit@users.noreply.github.com>"
doc=$root/usr/share/doc/rawkit

cat >"$root/DEBIAN/control" <<CONTROL
Package: rawkit
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Suggests: libcap2-bin
Section: net
Priority: optional
Homepage: https://github.com/rawkit/rawkit
Description: raw sockets toolkit: ping, traceroute, packet sender, capture
 rawkit is a static binary with the tools people run as root to look
 at a network below the transport layer: an iputils-compatible ping that
 also sweeps address ranges, a parallel Paris-mode traceroute, a packet
 sender whose packets are written in a scapy-like language, a capture
 tool with tcpdump's filter language, TCP, UDP and unix test servers and
 clients, and a lab of routers in network namespaces. A second binary,
 rawkit-exporter ("rawkit exporter"), probes targets continuously with
 ICMP echo for Prometheus.
 .
 The package grants the binary no capability: run it as root, or see
 rawkit(1), PRIVILEGES, for setcap and net.ipv4.ping_group_range.
CONTROL

# The maintainer scripts grant no capability (an administrator who wants
# one runs setcap after each install or upgrade, which replaces the
# file). With systemd units, systemd is told they changed; nothing is
# enabled or started.
# Without units there is nothing to do: no postinst at all (lintian
# warns of an empty one).
if [ ${#units[@]} -gt 0 ]; then
	for script in postinst postrm; do
		cat >"$root/DEBIAN/$script" <<SCRIPT
#!/bin/sh
# rawkit grants itself no capability. To let users send raw packets:
#   setcap cap_net_raw,cap_net_admin+ep /usr/bin/rawkit
#   setcap cap_net_raw+ep /usr/bin/rawkit-exporter
# (again after every upgrade), or for ping alone widen
# net.ipv4.ping_group_range. See rawkit(1), PRIVILEGES.
set -e
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
exit 0
SCRIPT
	done
fi

# Lintian knows a Go program from its source package's build
# dependencies, which a package built with dpkg-deb alone has not.
mkdir -p "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/rawkit" <<OVERRIDES
# A Go program, linked statically on purpose (CGO_ENABLED=0): only then
# can it drop its capabilities on every thread.
rawkit: statically-linked-binary [usr/bin/rawkit]
rawkit: statically-linked-binary [usr/bin/rawkit-exporter]
OVERRIDES
# A YAML module (the exporter's configuration, linked into
# rawkit-exporter alone) is a pure Go port of libyaml, which lintian takes
# for an embedded copy of the C library.
if grep -q 'yaml' THIRD_PARTY_NOTICES; then
	cat >>"$root/usr/share/lintian/overrides/rawkit" <<OVERRIDES
# go.yaml.in/yaml is a pure Go port of libyaml, not a copy of the C library.
rawkit: embedded-library libyaml [usr/bin/rawkit-exporter]
OVERRIDES
fi
gzip -9n <THIRD_PARTY_NOTICES >"$doc/THIRD_PARTY_NOTICES.gz"

# copyright: rawkit's license, then each module linked into the binary
# and Go's standard library with their own notices (THIRD_PARTY_NOTICES,
# from scripts/notices.sh), in the machine-readable format.
field() { # the lines of standard input as a field's continuation lines
	sed -e 's/^[[:space:]]*$/./' -e 's/^/ /'
}
# copyline matches a license's copyright lines ("Copyright 2009 The Go
# Authors.", "Copyright (c) 2012 Google, Inc."), not its conditions.
copyline='^[[:space:]]*Copyright +(\([cC]\) +|© +)?[0-9]'
# license_name TEXT: the copyright-format name of the license(s) in TEXT.
license_name() {
	local names=()
	grep -q 'Apache License' <<<"$1" && grep -q 'Version 2.0' <<<"$1" && names+=(Apache-2.0)
	grep -q 'Permission is hereby granted, free of charge' <<<"$1" && names+=(Expat)
	grep -q 'Permission to use, copy, modify, and/or distribute' <<<"$1" && names+=(ISC)
	grep -q 'Mozilla Public License' <<<"$1" && names+=(MPL-2.0)
	if grep -q 'Redistribution and use in source and binary forms' <<<"$1"; then
		if grep -qi 'neither the name\|names of its contributors\|name of the copyright holder' <<<"$1"; then
			names+=(BSD-3-Clause)
		else
			names+=(BSD-2-Clause)
		fi
	fi
	if [ ${#names[@]} -eq 0 ]; then
		echo "package-meta.sh: cannot name the license of $2: add a case to license_name" >&2
		exit 2
	fi
	local IFS='|'
	echo "${names[*]}" | sed 's/|/ and /g'
}
# paragraph NAME LICENSE-TEXT [BINARY...]: a Files paragraph for code
# linked into the BINARYs (none: every Go binary, the standard library).
paragraph() {
	local name=$1 text=$2 files into
	shift 2
	if [ $# -eq 0 ]; then
		set -- rawkit rawkit-exporter
	fi
	into=$(printf '/usr/bin/%s\n' "$@" | paste -sd, | sed 's/,/ and /g')
	files=$(printf '%s' "$name" | cut -d' ' -f1)
	case $name in "The Go standard library"*) files="go/src/*" ;; *) files="$files/*" ;; esac
	echo
	echo "Files: $files"
	echo "Copyright:"
	holders=$(printf '%s\n' "$text" | { grep -E "$copyline" || true; } | sed 's/^[[:space:]]*Copyright *\((c)\|©\)\? *//I')
	# An Apache-2.0 license file names no holder: its module's authors.
	printf '%s\n' "${holders:-The authors of ${name%% *}}" | field
	local license
	license=$(license_name "$text" "$name")
	echo "License: $license"
	if [ "$license" = Apache-2.0 ]; then
		# Debian ships this one: point at it (policy 12.5), and at the
		# module's NOTICE, reproduced in THIRD_PARTY_NOTICES.gz.
		echo " On Debian systems, the complete text of the Apache License 2.0 can be"
		echo " found in /usr/share/common-licenses/Apache-2.0."
		echo "Comment: $name, linked into $into. Its license and any"
		echo " NOTICE file are reproduced in /usr/share/doc/rawkit/THIRD_PARTY_NOTICES.gz."
		return
	fi
	printf '%s\n' "$text" | { grep -vE "$copyline" || true; } | sed '/./,$!d' | field
	echo "Comment: $name, linked into $into."
}
{
	cat <<HEAD
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rawkit
Upstream-Contact: $maintainer
Source: https://github.com/rawkit/rawkit

Files: *
Copyright: 2026 The rawkit Authors
License: BSD-3-Clause
HEAD
	grep -vE "$copyline|^BSD 3-Clause License" LICENSE | sed '/./,$!d' | field
	name= text= rules=0 bins=
	while IFS= read -r line; do
		if [[ $line =~ ^={10,}$ ]]; then
			rules=$((rules + 1))
			if [ $((rules % 2)) -eq 1 ] && [ -n "$name" ]; then
				# shellcheck disable=SC2086 # bins: a list of words
				paragraph "$name" "$text" $bins
				name= text= bins=
			fi
			continue
		fi
		if [ $((rules % 2)) -eq 1 ]; then
			name=$line
		elif [[ $line == "Linked into: "* ]] && [ -z "$text" ]; then
			bins=${line#Linked into: }
		elif [ "$rules" -gt 0 ]; then
			text+=$line$'\n'
		fi
	done <THIRD_PARTY_NOTICES
	# shellcheck disable=SC2086
	[ -z "$name" ] || paragraph "$name" "$text" $bins
} >"$doc/copyright"

# changelog.Debian.gz: one entry for this build, dated by the commit.
{
	echo "rawkit ($version) unstable; urgency=medium"
	echo
	echo "  * Build of commit $commit; see changelog.gz for what changed."
	echo
	echo " -- $maintainer  $(git log -1 --format=%cD)"
} | gzip -9n >"$doc/changelog.Debian.gz"
if [ -f CHANGELOG.md ]; then
	gzip -9n <CHANGELOG.md >"$doc/changelog.gz"
fi
