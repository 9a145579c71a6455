#!/usr/bin/env bash
# Installs a local Kafka broker and Apicurio Registry from Maven Central into
# deploy/local/.cache/ (no Docker, no other download site):
#   .cache/kafka/libs/   Kafka 4.x jars + a Log4j2 SLF4J binding (see pom.xml)
#   .cache/apicurio/     the unpacked Apicurio Registry app (quarkus-run.jar)
# Idempotent: does nothing when the cache matches pom.xml.
#
# Env: MAVEN_REPO_LOCAL  use this Maven local repository instead of ~/.m2
#      MAVEN_ARGS        extra arguments for mvn (e.g. "-o" for offline)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (Maven 3.6+ is needed)"
find_java 17 >/dev/null || die "no Java 17+ found (set JAVA_HOME)"
find_java 21 >/dev/null || log "warning: no Java 21+ found; start-registry.sh will need one (REGISTRY_JAVA)"
mkdir -p "$CACHE_DIR"

# The cache is valid for exactly one pom.xml: a version bump there reinstalls.
stamp=$(sha256sum "$LOCAL_DIR/pom.xml" | cut -d' ' -f1)
installed() {
  [[ -f $CACHE_DIR/installed.stamp && $(<"$CACHE_DIR/installed.stamp") == "$stamp" ]] &&
    [[ -f $CACHE_DIR/apicurio/quarkus-run.jar ]] &&
    compgen -G "$CACHE_DIR/kafka/libs/kafka_2.13-*.jar" >/dev/null
}
if installed; then
  log "already installed in $CACHE_DIR"
  exit 0
fi

# Several test processes may call this at once: serialise them, then re-check.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.install.lock"
  flock 9
  if installed; then
    log "already installed in $CACHE_DIR"
    exit 0
  fi
fi

# Resolve into a staging dir and move into place at the end, so an interrupted
# install never leaves a half-filled cache that looks complete.
staging=$(mktemp -d "$CACHE_DIR/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT
log "resolving Kafka and Apicurio Registry with Maven (first time: ~220 MB download)..."
start=$SECONDS
# Maven's messages go to stderr like ours (stdout stays clean for callers), minus
# the stray colour-reset codes that Debian's Maven 3.8 prints even with -B.
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of words on purpose
mvn -f "$LOCAL_DIR/pom.xml" -q -B -Dstyle.color=never \
  ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local=$MAVEN_REPO_LOCAL} ${MAVEN_ARGS:-} \
  -Dcache.dir="$staging" \
  dependency:copy-dependencies@kafka-libs dependency:unpack@apicurio 2>&1 |
  sed -e $'s/\e\\[0m//g' -e '/^$/d' >&2 ||
  die "Maven could not resolve the artifacts (see above)"
[[ -f $staging/apicurio/quarkus-run.jar ]] || die "Apicurio unpack produced no quarkus-run.jar"

rm -rf "$CACHE_DIR/kafka" "$CACHE_DIR/apicurio"
mv "$staging/kafka" "$CACHE_DIR/kafka"
mv "$staging/apicurio" "$CACHE_DIR/apicurio"
printf '%s\n' "$stamp" >"$CACHE_DIR/installed.stamp"
log "installed in $CACHE_DIR ($((SECONDS - start))s)"
