# shellcheck shell=bash
# Shared launcher for the Java tools: finds a JDK >= 21, builds the CLI jar when it is missing or older
# than the sources, then runs the given main class with the Vector API enabled.
# Usage (from a tools/ script):  . "$(dirname "$0")/lib/launch.sh"; lanes_run lanes.tools.SomeMain "$@"

LANES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$LANES_ROOT/tools/lib/jdk.sh"
LANES_CLI_JAR="$LANES_ROOT/tools/target/lanes-cli.jar"

lanes_build_if_needed() {
  local stale=""
  if [ ! -f "$LANES_CLI_JAR" ]; then
    stale=yes
  elif [ -n "$(find "$LANES_ROOT"/kernels/src/main "$LANES_ROOT"/engine/src/main "$LANES_ROOT"/trainer/src/main \
        "$LANES_ROOT"/tools/src/main "$LANES_ROOT"/pom.xml "$LANES_ROOT"/*/pom.xml -newer "$LANES_CLI_JAR" -type f 2>/dev/null | head -n 1)" ]; then
    stale=yes
  fi
  if [ -n "$stale" ]; then
    echo "lanes: building the tools (first run, or sources changed) ..." >&2
    local opts="${MAVEN_OPTS:-}"
    [ "$(lanes_java_feature "$LANES_JAVA")" -ge 23 ] && opts="$opts --sun-misc-unsafe-memory-access=allow"
    (cd "$LANES_ROOT" && MAVEN_OPTS="$opts" ./mvnw -B -q -ntp -DskipTests -pl tools -am package) >&2 || {
      echo "lanes: build failed; run tools/test to see why" >&2; exit 1; }
  fi
}

# JVM flags every tool gets: SIMD on, one-line log records, a small fast-starting heap.
LANES_JVM_FLAGS=(--add-modules jdk.incubator.vector
  "-Djava.util.logging.SimpleFormatter.format=%4\$s: %5\$s%6\$s%n"
  -XX:+UseSerialGC)

lanes_run() {
  local main=$1; shift
  lanes_build_if_needed
  local tty=false
  [ -t 1 ] && tty=true   # Java 21 cannot tell a terminal from a pipe; the shell can
  # shellcheck disable=SC2086 # LANES_JAVA_OPTS is a list of flags by design
  exec "$LANES_JAVA" "${LANES_JVM_FLAGS[@]}" -Dlanes.tty=$tty ${LANES_JAVA_OPTS:-} -cp "$LANES_CLI_JAR" "$main" "$@"
}
