#!/usr/bin/env bash
# Issue #13 (helper net, family 4): system security settings and ownership --
# chown/chgrp to another owner, setuid bits, Windows ACL grants, macOS
# defaults/csrutil/spctl/nvram/systemsetup/dscl, SELinux, firewalls, sysctl.
# None is allowed; reading the settings stays allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in \
	"chown root:root notes.txt" \
	"chown -R bob ./src" \
	"chgrp wheel notes.txt" \
	"chmod u+s ./src" \
	"chmod 4755 ./src" \
	"icacls C:\\data /grant Everyone:F" \
	"cacls C:\\x /e /g everyone:f" \
	"defaults write com.apple.loginwindow LoginHook /tmp/x.sh" \
	"defaults write com.apple.LaunchServices LSQuarantine -bool false" \
	"csrutil disable" \
	"spctl --master-disable" \
	"nvram boot-args=-v" \
	"systemsetup -setremotelogin on" \
	"dscl . -append /Groups/admin GroupMembership bob" \
	"setenforce 0" \
	"setsebool -P httpd_can_network_connect 1" \
	"ufw disable" \
	"iptables -F" \
	"sysctl -w kernel.randomize_va_space=0"; do
	held "$cmd" "$(exec_req "$cmd")"
	at_least_high "$cmd"
done
pass "security settings and ownership changes are at least high"

for cmd in "chown \$(whoami) notes.txt" "defaults read com.apple.dock" "csrutil status" "spctl --status" \
	"nvram -p" "systemsetup -getremotelogin" "getenforce" "sysctl -a"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "reads of the settings stay allowed"
