#!/bin/sh
# pager-webhook.sh -- a sample `pager = ...` command for sandgate (docs/POLICY.md).
#
# sandgate runs it with SANDGATE_EVENT=trigger (a group escalated) or
# SANDGATE_EVENT=resolve (its last paged request was decided, withdrawn or
# expired), SANDGATE_GROUP=<group id> (the dedup key) and the group's JSON on
# stdin.  It is killed (with its children) after pager_timeout (10 s by
# default); a non-zero exit is logged and shown as an alert, never retried.
#
# This one posts a PagerDuty Events API v2 style message.  Set in the
# broker's environment (e.g. the systemd unit):
#   SANDGATE_WEBHOOK_URL   where to POST (e.g. https://events.pagerduty.com/v2/enqueue)
#   SANDGATE_ROUTING_KEY   the integration's routing key
# and in the config:
#   pager = /usr/local/bin/pager-webhook.sh
#   pager_timeout = 10s
set -eu
: "${SANDGATE_WEBHOOK_URL:?set SANDGATE_WEBHOOK_URL}"
: "${SANDGATE_EVENT:?run by sandgate only}"
: "${SANDGATE_GROUP:?run by sandgate only}"
body=$(cat)   # the group's JSON: {event, group, host, level, why, request: {...}}

case "$SANDGATE_EVENT" in
trigger) action=trigger ;;
resolve) action=resolve ;;
*) echo "pager-webhook: unknown event $SANDGATE_EVENT" >&2; exit 2 ;;
esac

# The dedup key joins the trigger and its resolve.  The request text in the
# body is untrusted (an agent wrote it): jq quotes it; never paste it into a
# shell command.
payload=$(printf '%s' "$body" | jq -c \
	--arg action "$action" \
	--arg key "sandgate-$(hostname)-$SANDGATE_GROUP" \
	--arg rk "${SANDGATE_ROUTING_KEY:-}" '
	{routing_key: $rk, event_action: $action, dedup_key: $key}
	+ (if $action == "trigger" then {payload: {
		summary: ("sandgate: " + (.level // "?") + " request waits: " + ((.request.summary // "") | .[0:200])),
		source: (.host // "sandgate"),
		severity: (if .level == "critical" then "critical" else "warning" end),
		custom_details: {group: .group, why: .why, agent: .request.agent, request_id: .request.id}}}
	  else {} end)')

exec curl --silent --show-error --fail --max-time 8 \
	-H 'Content-Type: application/json' --data-binary "$payload" "$SANDGATE_WEBHOOK_URL" >/dev/null
