#!/usr/bin/env bash
# Fresh-process timings as a user's shell takes them: bash starts each pwsh, as a terminal or
# a runbook host does (no PowerShell or .NET in the parent). Every command runs right after a
# bare start (`pwsh -NoProfile -NonInteractive -Command exit`), round after round, so that
# each figure is a pair taken in the same moment of the machine's load.
#
#   bash tests/bench/Fresh.sh ROUNDS LAUNCHER... -- NAME COMMAND [NAME COMMAND]...
#
# LAUNCHER: what starts pwsh (`pwsh`, or `dotnet /path/pwsh.dll`). Before the rounds, one bare
# start and one run of each command are made and not counted (the runtime paged in, the
# module analysis cache written). Prints one line per timed run: NAME ROUND MS BARE_MS.
# A command that fails stops everything, with its output.
set -euo pipefail
rounds="$1"; shift
launcher=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do launcher+=("$1"); shift; done
[ "$#" -gt 0 ] || { echo "usage: Fresh.sh ROUNDS LAUNCHER... -- NAME COMMAND..." >&2; exit 2; }
shift
names=(); commands=()
while [ "$#" -ge 2 ]; do names+=("$1"); commands+=("$2"); shift 2; done
[ "$#" -eq 0 ] || { echo "Fresh.sh: a NAME without its COMMAND" >&2; exit 2; }

err="$(mktemp)"
trap 'rm -f "$err"' EXIT

now_us() {
    # Microseconds, without a fork ($EPOCHREALTIME, bash 5) where the shell has it.
    if [ -n "${EPOCHREALTIME:-}" ]; then local t="${EPOCHREALTIME/[,.]/}"; echo "${t}"; else echo $(( $(date +%s%N) / 1000 )); fi
}

run() {
    # Wall time of one fresh pwsh running $1, in microseconds (printed); fails loudly.
    local start end
    start="$(now_us)"
    if ! "${launcher[@]}" -NoProfile -NonInteractive -Command "$1" >"$err" 2>&1; then
        echo "Fresh.sh: pwsh -Command '$1' failed:" >&2
        cat "$err" >&2
        exit 1
    fi
    end="$(now_us)"
    echo $(( end - start ))
}

run exit >/dev/null
for c in "${commands[@]}"; do run "$c" >/dev/null; done
for ((r = 1; r <= rounds; r++)); do
    for i in "${!names[@]}"; do
        bare="$(run exit)"
        t="$(run "${commands[$i]}")"
        printf '%s %d %d.%03d %d.%03d\n' "${names[$i]}" "$r" $((t / 1000)) $((t % 1000)) $((bare / 1000)) $((bare % 1000))
    done
done
