#!/usr/bin/env bash
# Issue #13, runs family 3 and 4: local package files (their maintainer
# scripts run as root) are at least high; tunnels that expose the machine
# are critical; servers on every interface and containers with the host's
# root or system paths mounted are at least high.  Default settings
# (routine preset); the near misses (queries, reads) stay allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in "dpkg -i x_1.0_all.deb" "dpkg --install ./x.deb" "apt install ./x.deb" "apt-get install -y /tmp/x.deb" \
	"rpm -ivh x.rpm" "rpm -Uvh x.rpm" "rpm --install x.rpm" "yum localinstall -y x.rpm" "dnf install -y x-1.0.noarch.rpm" \
	"zypper install ./x.rpm" "pkg install -y ./x-1.0.txz" "pkg add x.txz" "snap install x.snap --dangerous" \
	"snap install --devmode foo" "flatpak install ./app.flatpak" "apk add --allow-untrusted x.apk" "pacman -U x.pkg.tar.zst" \
	"kubectl proxy --address=0.0.0.0 --port=1" "kubectl proxy --address 0.0.0.0" "python3 -m http.server" \
	"ruby -run -e httpd . -p 80" "php -S 0.0.0.0:8000" "fzf --listen=12345" "busybox httpd -f -p 8080" \
	"docker run --rm --mount type=bind,source=/etc,target=/e alpine" "ctr run --privileged docker.io/library/alpine:latest x"; do
	held "$cmd" "$(exec_req "$cmd")"
	at_least_high "$cmd"
done
pass "local package files, servers on every interface and privileged containers are at least high"

for cmd in "code tunnel --name x" "code tunnel" "code-tunnel" "ngrok http 80" "cloudflared tunnel run x" \
	"tailscale funnel 8080" "ssh -R 8080:localhost:80 host" "ssh -fNR 9000:localhost:22 host" \
	"docker run --rm --mount type=bind,src=/,dst=/h alpine" \
	"ctr run --rm --mount type=bind,src=/,dst=/,options=rbind -t docker.io/library/alpine:latest x"; do
	held "$cmd" "$(exec_req "$cmd")"
	is_critical "$cmd"
done
pass "tunnels to the machine and containers with the host's root are critical"

for cmd in "dpkg -l" "dpkg -L coreutils" "rpm -qa" "rpm -q bash" "tailscale status" "ctr images ls" "fzf -f foo" \
	"code tunnel status"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "queries stay allowed"
