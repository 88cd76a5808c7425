# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/debug-kernel and scripts/kunit: keep a cached kernel
# tree carrying the current upstream/ patch series.
#
#   vprime_series ROOT                 the series as one stream (cover letter
#                                      left out), in order; empty if none
#   vprime_series_key ROOT             a short hash of it
#   vprime_series_apply ROOT SRC STATE revert the series SRC carries (saved
#                                      in STATE/series.applied), last patch
#                                      first, and apply ROOT's
#
# Applying only touches the files the patches change, so an incremental
# build after it rebuilds just those.

vprime_series() {
	local p
	for p in "$1"/upstream/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$p" ] || continue
		case ${p##*/} in 0000-*) continue ;; esac
		cat "$p"
	done
}

vprime_series_key() {
	vprime_series "$1" | sha1sum | cut -c1-16
}

# Revert the series saved in STATE/series.applied from SRC, one patch at a
# time from the last: patches that touch the same lines only revert in
# that order. Patches are split where git format-patch starts them, at
# their "From <sha> Mon Sep 17 00:00:00 2001" line.
vprime_series_revert() {
	local src=$1 state=$2 split p
	split=$(mktemp -d)
	awk -v dir="$split" '
		/^From [0-9a-f]+ Mon Sep 17 00:00:00 2001$/ || NR == 1 { n++ }
		{ print > sprintf("%s/%04d.patch", dir, n) }
	' "$state/series.applied"
	for p in $(find "$split" -name '*.patch' | sort -r); do
		if ! patch -d "$src" -p1 -R -s --no-backup-if-mismatch <"$p" >&2; then
			rm -rf "$split"
			return 1
		fi
	done
	rm -rf "$split"
}

vprime_series_apply() {
	local root=$1 src=$2 state=$3
	if [ -s "$state/series.applied" ]; then
		vprime_series_revert "$src" "$state" ||
			{ echo "series: cannot revert the old series in $src; remove $state" >&2; return 1; }
	fi
	: >"$state/series.applied"
	if [ "$(vprime_series "$root" | wc -c)" -gt 0 ]; then
		vprime_series "$root" | patch -d "$src" -p1 -s --no-backup-if-mismatch >&2 ||
			{ echo "series: the upstream/ series does not apply to $src" >&2; return 1; }
		vprime_series "$root" >"$state/series.applied"
	fi
}
