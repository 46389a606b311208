#!/bin/sh
# tests/cli/old_events.sh: events an older authpath stored (schema 3: no groups, no impersonation
# kept as a use, an event stored twice) are not read as if whole: the duplicate is kept once, and
# the commands that compare use with grants say which events' answers may be false.
# Usage: old_events.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
F=$SRC/tests/fixtures/usage
db=$WORK/old.db
ev() {  # ID VERB RESOURCE NAME [IMPERSONATED]
    printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"%s","stage":' "$1"
    printf '"ResponseComplete","verb":"%s","user":{"username":"alice@vendor-a.example",' "$2"
    imp=
    [ $# -lt 5 ] || imp=$(printf '"impersonatedUser":{"username":"%s"},' "$5")
    printf '"groups":["vendor-a:ops"]},%s"objectRef":{"resource":"%s","namespace":"shop",' \
        "$imp" "$3"
    printf '"name":"%s"},"responseStatus":{"code":200},"stageTimestamp":' "$4"
    printf '"2026-11-02T10:00:00Z"}\n'
}
{ ev o1 get secrets db; ev o2 patch configmaps app carol; } >"$WORK/audit.jsonl"
"$AP" --db "$db" import "$F/k8s-groups-cluster.json" --partner-map "$F/k8s-groups-partners.json" \
    >/dev/null 2>"$WORK/err" || fail "import: $(cat "$WORK/err")"
"$AP" --db "$db" import --as usage "$WORK/audit.jsonl" >/dev/null 2>"$WORK/err" \
    || fail "import events: $(cat "$WORK/err")"
# what schema 3 had: the same rows without groups, shared ids or impersonation rows, and the
# event o1 imported twice (before schema 4 nothing stopped it)
sqlite3 "$db" "DELETE FROM observation WHERE action LIKE 'impersonate %';
    INSERT INTO observation(snap, file, line, event_id, at, actor, actor_known, target,
      target_known, rights, action, ok, via) SELECT snap, file, line, event_id, at, actor,
      actor_known, target, target_known, rights, action, ok, via FROM observation
      WHERE event_id = 'o1';
    DROP INDEX observation_event; DROP INDEX observation_shared;
    ALTER TABLE observation DROP COLUMN groups; ALTER TABLE observation DROP COLUMN shared_id;
    PRAGMA user_version = 3;" || fail "cannot make the schema-3 database"
# (a build before schema 6 has no such column: the same test then shows what it did)
for col in stored_under source_identity; do
    sqlite3 "$db" "ALTER TABLE observation DROP COLUMN $col" 2>/dev/null || true
done
for args in "findings" "findings --format json" "authority vendor-a --observed" \
            "what-if vendor-a --narrow-to-observed"; do
    # shellcheck disable=SC2086  # the arguments are words
    "$AP" --db "$db" --at 2026-12-01 $args >"$WORK/out" 2>"$WORK/err" || [ $? -eq 1 ] \
        || fail "$args: $(cat "$WORK/err")"
    old="stored by an older authpath (schema version 3), of"
    grep -q "^authpath: note: 2 events of snapshot 1 $old Kubernetes audit events whose groups" \
        "$WORK/err" \
        || fail "$args: no note on the groups: $(cat "$WORK/err")"
    grep -q "^authpath: note: 1 event of snapshot 1 $old impersonated Kubernetes requests" \
        "$WORK/err" \
        || fail "$args: no note on the impersonation: $(cat "$WORK/err")"
done
[ "$(sqlite3 "$db" "SELECT count(*) FROM observation WHERE event_id = 'o1'")" = 1 ] \
    || fail "the event stored twice is still there twice"
# imported again into a new snapshot, the events are whole: nothing to say
"$AP" --db "$db" import "$F/k8s-groups-cluster.json" --partner-map "$F/k8s-groups-partners.json" \
    >/dev/null 2>&1 || fail "re-import"
"$AP" --db "$db" import --as usage "$WORK/audit.jsonl" >/dev/null 2>&1 || fail "re-import events"
"$AP" --db "$db" --at 2026-12-01 findings >"$WORK/out" 2>"$WORK/err" || [ $? -eq 1 ] \
    || fail "findings on the new snapshot: $(cat "$WORK/err")"
! grep -q "older authpath" "$WORK/err" || fail "a note on the new snapshot: $(cat "$WORK/err")"
grep -q "granted-never-used  k8s:\*/core/users/carol" "$WORK/out" \
    && fail "the new snapshot still says impersonate was never used"
echo "ok: old events said"
