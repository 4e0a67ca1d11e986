#!/usr/bin/env bash
# Builds the Debian package rawkit_VERSION_ARCH.deb with dpkg-deb alone:
# the static binaries (CGO_ENABLED=0) rawkit and rawkit-exporter (the
# exporter's, which `rawkit exporter` executes) in /usr/bin, the manual pages, the
# bash, zsh and fish completions, the exporter's systemd unit and example
# configuration when deploy/ has them, the licenses (copyright, per Debian
# policy) and changelogs. Its postinst grants no capability: see
# rawkit(1), PRIVILEGES, for setcap and net.ipv4.ping_group_range.
#
#   scripts/package.sh                 # dist/rawkit_VERSION_ARCH.deb
#   scripts/package.sh -o DIR --lint   # into DIR, then check it with lintian
#
# VERSION is the tag of the commit (v1.2.0 gives 1.2.0, packaged as
# 1.2.0-1), or 0.0.0~gitDATE.COMMIT for a commit without one; the environment's
# VERSION overrides it, and GOARCH picks another architecture. The tree
# must be clean (--allow-dirty builds one that is not, with +modified in
# the version). Bad use: one line on standard error, status 2.
set -euo pipefail
cd "${0%/*}/.."

die() {
	echo "package.sh: $*" >&2
	exit 2
}

outdir=dist lint= dirty_ok=
while [ $# -gt 0 ]; do
	case $1 in
	-o)
		[ $# -ge 2 ] || die "option -o needs a directory"
		outdir=$2
		shift
		;;
	--lint) lint=1 ;;
	--allow-dirty) dirty_ok=1 ;;
	*) die "unknown argument \"$1\" (usage: scripts/package.sh [-o DIR] [--lint] [--allow-dirty])" ;;
	esac
	shift
done

# The tools it needs: "command:debian-package".
for spec in go:golang dpkg-deb:dpkg gzip:gzip git:git find:findutils md5sum:coreutils du:coreutils; do
	command -v "${spec%%:*}" >/dev/null 2>&1 || die "needs ${spec%%:*}, which is not installed (apt-get install ${spec##*:})"
done
if [ -n "$lint" ] && ! command -v lintian >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lintian >/dev/null ||
			die "could not install lintian with apt-get"
	else
		die "--lint needs lintian, which is not installed (apt-get install lintian)"
	fi
fi

git rev-parse --git-dir >/dev/null 2>&1 || die "$(pwd) is not a git checkout: the version comes from its commit"
modified=
if [ -n "$(git status --porcelain --untracked-files=normal)" ]; then
	[ -n "$dirty_ok" ] || die "the tree has uncommitted changes ($(git status --porcelain | wc -l) files): commit them, or pass --allow-dirty"
	modified=+modified
fi

commit=$(git rev-parse --short=12 HEAD)
if [ -z "${VERSION:-}" ]; then
	if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
		VERSION=${tag#v}$modified
	else
		VERSION=0.0.0~git$(git log -1 --date=format:%Y%m%d --format=%cd).$commit$modified
	fi
fi
[[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "bad version \"$VERSION\": want an upstream version of digits, letters and .+~, starting with a digit"
# The Debian revision: the package is built outside Debian's archive from
# this upstream version, with a Debian changelog of its own.
debversion=$VERSION-1
goarch=${GOARCH:-$(go env GOARCH)}
case $goarch in
amd64 | arm64 | ppc64le | riscv64 | s390x) arch=$goarch ;;
386) arch=i386 ;;
arm) arch=armhf ;;
*) die "no Debian architecture for GOARCH \"$goarch\"" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/rawkit
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$doc" \
	"$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
	"$root/usr/share/fish/vendor_completions.d"

# The binaries: static, no paths of this machine, the package's version;
# rawkit-exporter next to rawkit.
GOARCH=$goarch scripts/build-static.sh "$root/usr/bin/rawkit" "$VERSION"

# Manual pages as committed (a test keeps them fresh); completions from the
# same tables. A cross-built binary cannot run here: use the committed ones.
for page in docs/man/*.1; do
	gzip -9n <"$page" >"$root/usr/share/man/man1/${page##*/}.gz"
done
cp contrib/completion/rawkit.bash "$root/usr/share/bash-completion/completions/rawkit"
cp contrib/completion/_rawkit "$root/usr/share/zsh/vendor-completions/_rawkit"
cp contrib/completion/rawkit.fish "$root/usr/share/fish/vendor_completions.d/rawkit.fish"

# The exporter's unit and example configuration, once deploy/ has them.
units=()
for unit in deploy/systemd/*.service deploy/*.service; do
	[ -f "$unit" ] || continue
	mkdir -p "$root/lib/systemd/system"
	cp "$unit" "$root/lib/systemd/system/"
	units+=("${unit##*/}")
done
conffiles=()
for conf in deploy/*.yml deploy/*.yaml; do
	[ -f "$conf" ] || continue
	mkdir -p "$root/etc/rawkit" "$doc/examples"
	cp "$conf" "$root/etc/rawkit/"
	cp "$conf" "$doc/examples/"
	conffiles+=("/etc/rawkit/${conf##*/}")
done

scripts/package-meta.sh "$root" "$debversion" "$arch" "$commit" "${units[@]+"${units[@]}"}"
if [ ${#conffiles[@]} -gt 0 ]; then
	printf '%s\n' "${conffiles[@]}" >"$root/DEBIAN/conffiles"
fi

# Owners root, modes as policy wants whatever the umask.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/rawkit" "$root/usr/bin/rawkit-exporter" "$root"/DEBIAN/post* 2>/dev/null || true
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$outdir"
deb=$outdir/rawkit_${debversion}_$arch.deb
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) dpkg-deb --root-owner-group -Zxz -z3 --build "$root" "$deb" >/dev/null
echo "$deb"

if [ -n "$lint" ]; then
	# Errors fail the build; warnings are printed (CONTRIBUTING.md: which are left and why).
	lintian --fail-on error "$deb"
fi
