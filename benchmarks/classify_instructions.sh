#!/bin/sh
# Instructions per classify() call on the throughput benchmark's article, counted by callgrind.
# Unlike seconds, the count does not drift with the machine's load, so two versions can be
# compared a step at a time:
#
#   sh benchmarks/classify_instructions.sh            # this checkout
#   sh benchmarks/classify_instructions.sh /tmp/old   # another checkout (git worktree add /tmp/old REV)
#
# Needs valgrind (apt-get install valgrind). Runs 100 and 400 calls and divides the difference by
# 300, so start-up and imports cancel out. About a minute.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$here}
python=${PYTHON:-python}
calls() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$python" - "$root" "$here" "$1" <<'EOF' 2>&1 |
import sys
root, here, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [root, f"{here}/benchmarks", f"{here}/tests"]
from datetime import date
from classify_throughput import article
from monitor.classify import classify
from monitor.config import load_rules
rules, terms = load_rules(f"{here}/config/monitor.toml")
text = article()
for _ in range(n):
    classify("US forces attacked", text, date(2024, 2, 5), rules, terms)
EOF
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(calls 100)
b=$(calls 400)
echo "$root: $(( (b - a) / 300 )) instructions per article"
