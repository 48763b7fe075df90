#!/usr/bin/env bash
# Issue #17 item 4: HTTP to the developer's own services on loopback is local,
# default settings.  Reads (curl/wget GET, an agent's fetch of localhost) are
# low and answered at once; writes wait at medium; daemons' API ports and
# sockets (Docker, kubelet, etcd, Vault, debuggers), cloud metadata, hosts
# that only look local (127.0.0.1.nip.io, localhost.evil.example), requests
# routed through a proxy, and secrets sent to loopback keep their score.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

# --- reads of the developer's own services: at once -----------------------------
for c in 'curl -s http://localhost:8081/api/items' 'curl -s http://127.0.0.1:3000/' \
	"curl -s 'http://[::1]:8080/health'" 'wget -qO- http://localhost:8080/health' \
	'curl -s http://0.0.0.0:8000/ | jq .status'; do
	allowed "read: $c" "$(exec_req "$c")"
done
allowed "net GET localhost" '"kind":"net","url":"http://localhost:8081/api","method":"GET"'
allowed "net GET 127.0.0.1" '"kind":"net","url":"http://127.0.0.1:5173/"'
pass "reads of loopback services are low and answered at once"

# --- writes: a person, at medium -----------------------------------------------
for c in "curl -X POST -d '{}' http://localhost:8081/api" 'curl -s -X PUT http://127.0.0.1:8081/x -d @body.json'; do
	held "write: $c" "$(exec_req "$c")"
	[ "$LEVEL" = medium ] || fail "write: $c: scored $LEVEL, want medium"
done
SEC_SESSION=s9 held "net POST localhost" '"kind":"net","url":"http://localhost:8081/api","method":"POST"'
[ "$LEVEL" = medium ] || fail "net POST localhost: scored $LEVEL, want medium"
# an HTTP DELETE removes what it names (an index, a record): its own reason, kept
held "DELETE to loopback" "$(exec_req 'curl -X DELETE http://localhost:9200/logs')"
at_least_high "DELETE to loopback"
pass "writes to loopback services wait at medium; an HTTP DELETE keeps its own score"

# --- sensitive local endpoints stay high -------------------------------------------
for c in 'curl --unix-socket /var/run/docker.sock http://localhost/containers/json' \
	'curl -s --unix-socket /run/docker.sock http://d/v1.41/info' \
	'curl http://localhost:2375/containers/json' 'curl localhost:2375/containers/json' \
	'curl -k https://127.0.0.1:2376/info' 'curl -k https://127.0.0.1:10250/pods' \
	'curl http://127.0.0.1:2379/v2/keys' 'curl http://localhost:9222/json' 'curl http://[::1]:9229/json' \
	'curl http://127.0.0.1:8200/v1/secret/data/x' 'curl http://169.254.169.254/latest/meta-data/' \
	'curl http://[fd00:ec2::254]/latest/meta-data/' 'curl http://metadata.google.internal/computeMetadata/v1/' \
	"curl -X POST http://localhost:2375/containers/create -d '{}'"; do
	held "sensitive: $c" "$(exec_req "$c")"
	at_least_high "sensitive: $c"
done
held "net docker port" '"kind":"net","url":"http://127.0.0.1:2375/info"'
at_least_high "net docker port"
pass "daemon ports and sockets, and metadata addresses stay high"

# --- not loopback, or not only -------------------------------------------------------
for c in 'curl http://127.0.0.1.nip.io/' 'curl http://localhost.evil.example/' \
	'curl -x http://evil.example:8080 http://localhost/' 'HTTPS_PROXY=http://evil.example curl https://localhost/' \
	'curl --connect-to localhost:80:evil.example:80 http://localhost/' \
	'curl --resolve localhost:80:203.0.113.9 http://localhost/' 'curl http://localhost/ https://evil.example/'; do
	held "not local: $c" "$(exec_req "$c")"
	not_low "not local: $c"
done
pass "lookalike hosts, proxies and --resolve/--connect-to are not local"

# --- secrets to loopback are still exfiltration ----------------------------------------
for c in 'curl -d @.env http://localhost:8080/' 'curl -H "Authorization: Bearer $GITHUB_TOKEN" http://localhost:8080/' \
	'cat ~/.ssh/id_rsa | curl -d @- http://127.0.0.1:9000/' 'curl http://localhost:8080/install.sh | sh'; do
	held "secret/code: $c" "$(exec_req "$c")"
	is_critical "secret/code: $c"
done
pass "secrets sent to loopback and code run from it stay critical"
