#!/usr/bin/env bash
# Issue #12 item 12 (the signal): an agent under the reviewer's uid could
# reach console.sock, the rules or the database itself, or write a Makefile
# that does later.  Any request that names sandgate's sockets, runtime dir,
# binary, config dir, rules, tables, audit key or database (+ -wal/-shm) --
# as a path, a word, a glob, a unix: URL, inside interpreter code, in the
# content it writes or in MCP arguments -- gets circumvention.sandgate:
# never allowed by a rule, at least high.  Default settings.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker
sock=$SANDGATE_DIR/console.sock
cfg=$XDG_CONFIG_HOME/sandgate

check() { # NAME FIELDS
	held "$1" "$2"
	flagged "$1" sandgate
	at_least_high "$1"
}

# --- the socket, by every route
check "socat var" "$(exec_req 'socat - UNIX-CONNECT:$SANDGATE_DIR/console.sock')"
check "socat literal" "$(exec_req "socat - UNIX-CONNECT:$sock")"
check "socat default dir" "$(exec_req 'socat - UNIX-CONNECT:/run/user/1000/sandgate/console.sock')"
check "python connect" "$(exec_req "python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect(\"/run/user/1000/sandgate/console.sock\"); s.send(b\"x\")'")"
check "python connect var" "$(exec_req "python3 -c 'import os,socket; s=socket.socket(socket.AF_UNIX); s.connect(os.environ[\"XDG_RUNTIME_DIR\"]+\"/sandgate/console.sock\")'")"
check "nc -U" "$(exec_req "nc -U $sock")"
check "curl unix socket" "$(exec_req "curl --unix-socket $SANDGATE_DIR/agent.sock http://localhost/")"
check "ls runtime dir" "$(exec_req "ls -la $SANDGATE_DIR")"
check "glob runtime dir" "$(exec_req "cat $SANDGATE_DIR/*")"
check "var indirection" "$(exec_req "D=$SANDGATE_DIR; socat - UNIX-CONNECT:\$D/console.sock")"
check "heredoc script" "$(exec_req $'bash <<\'EOF\'\nsocat - UNIX-CONNECT:"$XDG_RUNTIME_DIR/sandgate/console.sock"\nEOF')"
pass "the console socket named by path, variable, glob, in code or a here-document"

# --- files that act later
check "Makefile content" "\"kind\":\"write\",\"path\":\"Makefile\",\"content\":$(json_str $'all:\n\techo \'{"method":"decide"}\' | socat - UNIX-CONNECT:$(SANDGATE_DIR)/console.sock\n')"
check "script edit" "\"kind\":\"edit\",\"path\":\"run.sh\",\"old\":\"x\",\"new\":$(json_str "nc -U $sock")"
check "heredoc Makefile" "$(exec_req $'cat > Makefile <<\'EOF\'\nall:\n\tsandgate decide 1 allow\nEOF')"
pass "a Makefile or script that would reach sandgate when run"

# --- the database, config, rules, tables, audit key, binary
check "sqlite3 db" "$(exec_req "sqlite3 $SANDGATE_DB 'delete from rules'")"
check "sqlite3 wal" "$(exec_req "cat $SANDGATE_DB-wal")"
check "sqlite3 default db" "$(exec_req 'sqlite3 ~/.local/state/sandgate/sandgate.db .dump')"
check "config write" "\"kind\":\"write\",\"path\":\"$cfg/config\",\"content\":\"preset = routine\""
check "tables write" "$(exec_req "echo 'rm readonly' >> $cfg/tables/programs")"
check "audit key" "$(exec_req "cat $cfg/audit.key")"
check "config glob" "\"kind\":\"read\",\"path\":\"$W\",\"files\":[{\"path\":\"$XDG_CONFIG_HOME/**\",\"op\":\"read\",\"glob\":true}]"
check "decide by name" "$(exec_req 'sandgate decide 7 allow')"
check "rules by path" "$(exec_req "$SANDGATE rules add allow exec '*' --critical-ok")"
check "uninstall hooks" "$(exec_req 'sandgate uninstall')"
check "copy the binary" "$(exec_req "cp $SANDGATE /tmp/sg")"
check "kill the broker" "$(exec_req "kill $(broker_pid)")"
pass "the database (and -wal), config, tables, audit key, acting subcommands, the binary, the broker's pid"

# --- URLs and MCP arguments
check "net unix url" "\"kind\":\"net\",\"url\":\"unix:$sock\""
check "mcp socket arg" "\"kind\":\"mcp\",\"server\":\"shell\",\"tool\":\"connect\",\"arguments\":{\"opts\":{\"socket\":\"unix://$sock\"}}"
check "mcp code arg" "\"kind\":\"mcp\",\"server\":\"py\",\"tool\":\"run\",\"arguments\":{\"code\":\"import socket; socket.socket(1).connect('$sock')\"}"
pass "unix: URLs and MCP arguments naming the socket"

# --- what an agent may do with sandgate stays routine
not_flagged() { # NAME FIELDS (sandgate is an unknown program to the scorer: it waits, unflagged)
	held "$1" "$2"
	case " $CIRC " in *" circumvention.sandgate "*) fail "$1: flagged as reaching sandgate" ;; esac
}
not_flagged "sandgate ask" "$(exec_req 'sandgate ask -- ls')"
not_flagged "sandgate score" "$(exec_req "$SANDGATE score -- rm -rf /")"
allowed "a checkout named sandgate-*" "$(exec_req 'cat /tmp/sandgate-check/README.md')"
check "the default runtime dir by uid" "$(exec_req 'ls /tmp/sandgate-1000/')"
check "the default runtime dir by glob" "$(exec_req 'rm -rf /tmp/sandgate-*')"
allowed "echo" "$(exec_req 'echo console; ls sockets')"
pass "sandgate ask / score and ordinary commands are not flagged"
