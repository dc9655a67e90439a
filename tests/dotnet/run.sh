#!/usr/bin/env bash
# Drives the sandbox server with Microsoft's .NET Graph SDK (Microsoft.Graph from NuGet): builds
# SdkFidelity (output under target/dotnet), starts three servers (one with 250 extra users, one
# with random 429s, one with a per-app budget), runs the checks against them and stops the servers on exit.
# The demo tenant's checks (--demo) run against the default tenant.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
server="$repo/target/release/mggraph-sandbox"
[ -x "$server" ] || { echo "error: $server is missing: run cargo build --release first" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "error: the .NET SDK (dotnet) is not installed" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build tests/dotnet/SdkFidelity/SdkFidelity.csproj -c Release --nologo -v quiet -clp:NoSummary
program="$repo/target/dotnet/bin/SdkFidelity/Release/net10.0/SdkFidelity.dll"

# The servers' connection lines hold their (generated) client secrets: private, removed on exit.
work="$(mktemp -d)"
chmod 700 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# start NAME ARGS...: starts a server, waits for its --json line in $work/NAME.json.
start() {
    local name="$1"; shift
    "$server" --json "$@" >"$work/$name.json" 2>"$work/$name.log" &
    pids+=("$!")
    for _ in $(seq 100); do
        # Whole line written (it ends with a newline).
        [ -s "$work/$name.json" ] && [ -z "$(tail -c1 "$work/$name.json")" ] && return 0
        kill -0 "$!" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: the $name sandbox did not start:" >&2
    cat "$work/$name.log" >&2
    exit 1
}
start main --seed-users 250
start throttled --fault-429 0.3 --retry-after 0 --fault-seed 7
start limited --rate-limit 20 --seed-users 30

# The default tenant is the demo tenant; its areas are read through the SDK too.
dotnet "$program" --main "$work/main.json" --throttled "$work/throttled.json" --limited "$work/limited.json" --demo
