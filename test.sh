#!/usr/bin/env bash
# Runs every test and ends with one line: "N passed, N failed".
#   ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Normalization]
# The tests use a real PostgreSQL: this script starts a throwaway server of its own (tools/local-postgres.sh, data in
# .local/pg-test, a free port, fsync off) and stops and deletes it at the end. O365_TEST_POSTGRES set to a connection string
# uses that server instead (the tests create and drop databases named test_*).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
results="$here/.local/test-results"
rm -rf "$results"
mkdir -p "$results"

started_pg=""
if [ -z "${O365_TEST_POSTGRES:-}" ]; then
    port=""
    for candidate in $(shuf -i 20000-29999 -n 20); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
    done
    # The data folder, and the folder in /var/tmp it links to when the clone's folder is private (tools/local-postgres.sh).
    remove_pg_test() {
        local target
        target=$(readlink "$here/.local/pg-test" 2>/dev/null || true)
        rm -rf "$here/.local/pg-test"
        if [ -n "$target" ]; then rm -rf "$target"; fi
    }
    tools/local-postgres.sh stop "$here/.local/pg-test" >/dev/null 2>&1 || true
    remove_pg_test
    if ! tools/local-postgres.sh start "$here/.local/pg-test" "$port" --fast >/dev/null; then
        echo "test.sh: could not start PostgreSQL for the tests (see above)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    started_pg=1
    export O365_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=o365activity"
    trap 'tools/local-postgres.sh stop "$here/.local/pg-test" >/dev/null 2>&1 || true; remove_pg_test' EXIT
fi

dotnet test Orleans.sln -nologo --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
    a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The build or the test host failed before any result was written: count it as a failure, never as a pass.
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
