#!/usr/bin/env bash
# Issue #13 (helper net, family 3): destructive verbs of remote services --
# repository archive/rename/visibility, release and secret deletes, jenkins-cli
# through java -jar, PaaS CLIs.  None is allowed; reads stay allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in \
	"gh repo archive owner/repo -y" \
	"gh repo rename newname" \
	"gh repo edit o/r --visibility=public --accept-visibility-change-consequences" \
	"gh release delete v1.0 -y" \
	"gh secret delete MY_SECRET" \
	"glab repo archive group/proj" \
	"tea releases delete v1" \
	"java -jar jenkins-cli.jar -s http://jenkins:8080/ delete-job my-job" \
	"java -jar /opt/jenkins/jenkins-cli-2.401.jar -s http://j/ -auth @creds delete-node agent1" \
	"java -jar jenkins-cli.jar -s http://j/ groovy = < x.groovy" \
	"heroku apps:destroy myapp --confirm myapp" \
	"fly apps destroy myapp" \
	"doctl databases delete abc"; do
	held "$cmd" "$(exec_req "$cmd")"
	at_least_high "$cmd"
done
pass "destructive verbs of remote services are at least high"

for cmd in "gh repo view" "gh release list" "glab mr list" "doctl compute droplet list"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "reads stay allowed"
