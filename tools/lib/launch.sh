# shellcheck shell=bash
# Shared launcher for the Java tools: finds a JDK >= 21, builds the CLI jar when it is missing or older
# than the sources, then runs the given main class: with the Vector API for long runs (lanes_run),
# lean for one-shot runs (lanes_run_oneshot).
# Usage (from a tools/ script):  . "$(dirname "$0")/lib/launch.sh"; lanes_run lanes.tools.SomeMain "$@"

LANES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$LANES_ROOT/tools/lib/jdk.sh"
LANES_CLI_JAR="$LANES_ROOT/tools/target/lanes-cli.jar"

# lanes_build_if_needed [MODULE JAR]: builds MODULE (default tools) when JAR (default the CLI jar) is
# missing or older than any source or pom it is made from.
lanes_build_if_needed() {
  local module=${1:-tools} jar=${2:-$LANES_CLI_JAR} stale=""
  if [ ! -f "$jar" ]; then
    stale=yes
  elif [ -n "$(find "$LANES_ROOT"/kernels/src/main "$LANES_ROOT"/engine/src/main "$LANES_ROOT"/preprocess/src/main "$LANES_ROOT"/trainer/src/main "$LANES_ROOT"/interchange/src/main \
        "$LANES_ROOT/$module/src/main" "$LANES_ROOT"/pom.xml "$LANES_ROOT"/*/pom.xml -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
    stale=yes
  fi
  if [ -n "$stale" ]; then
    echo "lanes: building ${jar#"$LANES_ROOT"/} (first run, or sources changed) ..." >&2
    # The library modules' javadoc and sources jars are for ./mvnw install; a tool needs neither (~25 s).
    (cd "$LANES_ROOT" && lanes_maven_opts && ./mvnw -B -q -ntp -DskipTests -Dmaven.javadoc.skip=true \
        -Dmaven.source.skip=true -pl "$module" -am package) >&2 || {
      echo "lanes: build failed; run tools/test to see why" >&2; exit 1; }
    [ "$module" = tools ] && rm -f "$LANES_ROOT"/tools/target/*.aot "$LANES_ROOT"/tools/target/*.jsa
  fi
  return 0
}

# JVM flags every tool gets: one-line warnings only, a small fast-starting heap.
LANES_JVM_FLAGS=("-Djava.util.logging.config.file=$LANES_ROOT/tools/lib/logging.properties"
  -XX:+UseSerialGC -XX:-UsePerfData)
# Long-running tools (training, latency, batches) want C2 and the Vector API.
LANES_SIMD_FLAGS=(--add-modules jdk.incubator.vector)

lanes_run() {
  local main=$1; shift
  lanes_build_if_needed
  local tty=false
  [ -t 1 ] && tty=true   # Java 21 cannot tell a terminal from a pipe; the shell can
  # shellcheck disable=SC2086 # LANES_JAVA_OPTS is a list of flags by design
  exec "$LANES_JAVA" "${LANES_JVM_FLAGS[@]}" "${LANES_SIMD_FLAGS[@]}" -Dlanes.tty=$tty ${LANES_JAVA_OPTS:-} \
    -cp "$LANES_CLI_JAR" "$main" "$@"
}

# For one-shot runs that finish in a fraction of a second (tools/predict on a few files): C1 only,
# the scalar kernels (the Vector API is only fast once C2 has compiled it, which a 0.1 s run never
# sees), and a class cache: an AOT cache on JDK 25+, a CDS archive before. The cache is made once,
# silently, by predicting the sample images, never by re-running the user's own command.
# A flight recording (tools/profile) adds the jdk.jfr module, which the cache was made without: JDK 25
# refuses the cache with five error lines, so a recorded run goes without a class cache.
lanes_run_oneshot() {
  local main=$1; shift
  lanes_build_if_needed
  local feature name cache
  feature=$(lanes_java_feature "$LANES_JAVA")
  name="$(basename "$main")-jdk$feature-$(printf '%s' "$JAVA_HOME" | cksum | cut -d' ' -f1)"
  local flags=("${LANES_JVM_FLAGS[@]}" -XX:TieredStopAtLevel=1 -Dlanes.simd=false)
  if [[ "${LANES_JAVA_OPTS:-}" == *-XX:StartFlightRecording* ]]; then
    :   # recorded: no class cache
  elif [ "$feature" -ge 25 ]; then
    cache="$LANES_ROOT/tools/target/$name.aot"
    if [ ! -f "$cache" ]; then
      "$LANES_JAVA" "${flags[@]}" -XX:AOTCacheOutput="$cache" -cp "$LANES_CLI_JAR" "$main" \
        --json "$LANES_ROOT"/tools/samples/digit-* >/dev/null 2>&1 || true
    fi
    [ -f "$cache" ] && flags+=(-XX:AOTCache="$cache")
  else
    flags+=(-XX:SharedArchiveFile="$LANES_ROOT/tools/target/$name.jsa" -XX:+AutoCreateSharedArchive -Xlog:cds=off)
  fi
  # shellcheck disable=SC2086
  exec "$LANES_JAVA" "${flags[@]}" ${LANES_JAVA_OPTS:-} -cp "$LANES_CLI_JAR" "$main" "$@"
}
