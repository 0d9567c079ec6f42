#!/usr/bin/env bash
# The long fuzz run behind `make fuzz`: the same hypothesis properties as CI (tests/robustness/test_fuzz_*.py and
# the hostile-server polls of tests/hostile/test_hostile_polls.py), with KLEN_FUZZ_EXAMPLES examples per property
# instead of the CI budget. Loopback only; no display needed.
# Usage: tests/fuzz/run_fuzz.sh [EXAMPLES] [extra pytest args]   (default 20000; the CI budget is a few hundred)
set -euo pipefail
cd "$(dirname "$0")/../.."
examples="${1:-${KLEN_FUZZ_EXAMPLES:-20000}}"
[ $# -gt 0 ] && shift
echo "fuzzing with KLEN_FUZZ_EXAMPLES=$examples per property (loopback properties run 1/20 to 1/200 of that)"
start=$(date +%s)
KLEN_FUZZ_EXAMPLES="$examples" QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -s \
    -o timeout=0 --hypothesis-show-statistics tests/robustness/test_fuzz_parsers.py \
    tests/robustness/test_fuzz_drafts.py tests/robustness/test_fuzz_emulator.py \
    tests/hostile/test_hostile_polls.py "$@"
echo "fuzz run passed in $(( $(date +%s) - start )) s"
