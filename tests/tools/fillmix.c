/* fillmix.c -- one request of a realistic mix (see fillmix.h). */
#include "tests/tools/fillmix.h"
#include "proto/rpc.h"

#include <stdio.h>

void
fill_mix(msgpack_packer *pk, const char *id_prefix, const char *sess_prefix, int i, int sessions, int timeout_s)
{
	char id[96], cmd[256], sess[96], path[256];
	int k = (i / sessions) % 23, v = i / (sessions * 23);

	snprintf(id, sizeof id, "%s-%d", id_prefix, i);
	snprintf(sess, sizeof sess, "%s-%d", sess_prefix, i % sessions);
	msgpack_pack_array(pk, 1);
	if (k < 14) {
		switch (k) {
		case 0: snprintf(cmd, sizeof cmd, "git status"); break;
		case 1: snprintf(cmd, sizeof cmd, "git push origin feature/f%d", v % 40); break;
		case 2: snprintf(cmd, sizeof cmd, "git diff --stat HEAD~%d", v % 9 + 1); break;
		case 3: snprintf(cmd, sizeof cmd, "npm run test -- src/components/c%d.test.tsx", v); break;
		case 4: snprintf(cmd, sizeof cmd, "npm install left-pad-%d", v % 300); break;
		case 5: snprintf(cmd, sizeof cmd, "python3 scripts/job_%d.py --fast", v % 500); break;
		case 6: snprintf(cmd, sizeof cmd, "cargo build -p crate%d --release", v % 60); break;
		case 7: snprintf(cmd, sizeof cmd, "make -C sub%d all", v % 25); break;
		case 8: snprintf(cmd, sizeof cmd, "curl -s https://api%d.example.com/v1/items/%d", v % 20, v); break;
		case 9: snprintf(cmd, sizeof cmd, "rm -rf build/tmp%d", v); break;
		case 10: snprintf(cmd, sizeof cmd, "cat src/mod%d/file%d.c | grep -n TODO", v % 30, v); break;
		case 11: snprintf(cmd, sizeof cmd, "docker run --rm img%d:latest echo %d", v % 15, v); break;
		case 12: snprintf(cmd, sizeof cmd, "tool%d --input data/%d.json", v % 120, v); break;
		default: snprintf(cmd, sizeof cmd, "ls -la dir%d && wc -l file%d", v % 50, v); break;
		}
		msgpack_pack_map(pk, 8);
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "command", cmd);
	} else if (k < 18) {
		snprintf(path, sizeof path, "/home/dev/project/src/mod%d/sub%d/file%d.c", v % 40, k, v);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "write");
		rpc_pack_kv_str(pk, "path", path);
		rpc_pack_kv_str(pk, "content", "int x;\n");
	} else if (k < 21) {
		snprintf(path, sizeof path, "https://pkg%d.registry%d.example.org/p/%d", v % 10, v % 35, v);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "net");
		rpc_pack_kv_str(pk, "url", path);
		rpc_pack_kv_str(pk, "method", "GET");
	} else {
		snprintf(path, sizeof path, "tool_%d", v % 45);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "mcp");
		rpc_pack_kv_str(pk, "server", k == 21 ? "github" : "linear");
		rpc_pack_kv_str(pk, "tool", path);
	}
	rpc_pack_kv_str(pk, "req_id", id);
	rpc_pack_kv_str(pk, "agent", i % 3 == 0 ? "codex" : "claude-code");
	rpc_pack_kv_str(pk, "session", sess);
	rpc_pack_kv_str(pk, "cwd", "/home/dev/project");
	rpc_pack_kv_str(pk, "workspace", "/home/dev/project");
	rpc_pack_kv_int(pk, "timeout", timeout_s);
}
