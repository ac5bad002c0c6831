#!/usr/bin/env bash
# Creates what a local run with authentication on needs (./run-local.sh --auth), in DIR (default .local/auth):
#   ca.crt, ca.key           a development CA (for this machine only; valid 1 year)
#   server.crt, server.key   the gateway's TLS certificate (localhost and 127.0.0.1), issued by that CA
#   NAME.crt, NAME.key       a client certificate (subject CN=NAME, client authentication) for each NAME given
#   NAME.p12                 the same as PKCS#12 with an empty password, to import into a browser for the status page
# Existing files are kept while they have more than 30 days left, so clients set up once keep working.
#   tools/dev-certs.sh [DIR] [NAME...]        (default names: operator, reader)
set -euo pipefail
dir=${1:-.local/auth}
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(operator reader)
command -v openssl >/dev/null || { echo "dev-certs.sh needs openssl" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 077

fresh() { [ -s "$1.crt" ] && [ -s "$1.key" ] && openssl x509 -in "$1.crt" -noout -checkend $((30 * 24 * 3600)) >/dev/null 2>&1; }
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

if ! fresh ca; then
    key ca
    openssl req -x509 -new -key ca.key -out ca.crt -days 365 -subj "/CN=o365activity local development CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    rm -f server.crt ./*.p12
    for f in ./*.crt; do [ "$f" = ./ca.crt ] || rm -f "$f"; done
fi

issue() { # name subject extensions
    key "$1"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out "$1.crt" -extfile <(printf '%b' "$3") 2>/dev/null
    rm -f "$1.csr"
}

if ! fresh server; then
    issue server "/CN=localhost" "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
fi
for name in "${names[@]}"; do
    case "$name" in ''|*[!A-Za-z0-9._-]*) echo "dev-certs.sh: a client name is letters, digits, '.', '_' or '-': $name" >&2; exit 2 ;; esac
    if ! fresh "$name"; then
        issue "$name" "/CN=$name" "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
        openssl pkcs12 -export -in "$name.crt" -inkey "$name.key" -certfile ca.crt -out "$name.p12" -passout pass: -name "$name" 2>/dev/null
    fi
done
chmod 600 ./*.key ./*.p12 2>/dev/null || true
chmod 644 ./*.crt
