# shellcheck shell=bash
# Finds a JDK >= 21 for every Lanes launcher. Sourced, never run.
# Order: $JAVA_HOME (if >= 21), `java` on PATH (if >= 21), the newest JDK under /usr/lib/jvm.
# On success sets JAVA_HOME and LANES_JAVA; on failure prints what to install and exits 1.

LANES_MIN_JDK=21

# Prints the feature version (17, 21, 25, ...) of the java binary $1, or nothing if it does not run.
# Reads the JDK's release file when there is one: starting a JVM just to ask costs ~50 ms per launch.
lanes_java_feature() {
  local v="" home
  home=$(dirname "$(dirname "$1")")
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$home/release" | head -n 1)
    case "$v" in 1.*) v=${v#1.} ;; esac
    v=${v%%.*}
  fi
  case "$v" in ''|*[!0-9]*) v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1) ;; esac
  case "$v" in 1.*) v=${v#1.}; v=${v%%.*} ;; esac
  case "$v" in ''|*[!0-9]*) return 1 ;; esac
  printf '%s\n' "$v"
}

# A usable JDK has javac too: the build needs it, and the runtime alone cannot build Lanes.
lanes_jdk_ok() {
  local home=$1 f
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  f=$(lanes_java_feature "$home/bin/java") || return 1
  [ "$f" -ge "$LANES_MIN_JDK" ]
}

lanes_find_jdk() {
  local tried="" cand best="" best_f=0 f
  if [ -n "${JAVA_HOME:-}" ]; then
    if lanes_jdk_ok "$JAVA_HOME"; then LANES_JAVA="$JAVA_HOME/bin/java"; export JAVA_HOME LANES_JAVA; return 0; fi
    tried="$tried\n  JAVA_HOME=$JAVA_HOME ($(lanes_java_feature "$JAVA_HOME/bin/java" 2>/dev/null || echo 'no java'))"
  fi
  if cand=$(command -v java 2>/dev/null); then
    cand=$(readlink -f "$cand")
    local home=${cand%/bin/java}
    if lanes_jdk_ok "$home"; then JAVA_HOME=$home; LANES_JAVA="$home/bin/java"; export JAVA_HOME LANES_JAVA; return 0; fi
    tried="$tried\n  java on PATH: $cand (version $(lanes_java_feature "$cand" 2>/dev/null || echo '?'))"
  fi
  for cand in /usr/lib/jvm/*/; do
    cand=${cand%/}
    [ -x "$cand/bin/java" ] || continue
    [ -L "$cand" ] && continue
    f=$(lanes_java_feature "$cand/bin/java" 2>/dev/null) || continue
    if [ "$f" -ge "$LANES_MIN_JDK" ] && [ "$f" -gt "$best_f" ]; then best=$cand; best_f=$f; fi
  done
  if [ -n "$best" ]; then JAVA_HOME=$best; LANES_JAVA="$best/bin/java"; export JAVA_HOME LANES_JAVA; return 0; fi
  tried="$tried\n  /usr/lib/jvm: no JDK >= $LANES_MIN_JDK"
  printf 'lanes: no JDK %s or newer found. Tried:%b\nInstall one (for example Debian: apt-get install openjdk-21-jdk-headless, or any JDK 21+ build),\nthen set JAVA_HOME to it or put its bin/ on PATH.\n' "$LANES_MIN_JDK" "$tried" >&2
  exit 1
}

# Maven itself calls sun.misc.Unsafe, which JDK 24+ warns about on every run; the flag exists from
# JDK 23. Adds it to MAVEN_OPTS for the JDK found: call once per shell (or subshell) that runs ./mvnw.
lanes_maven_opts() {
  if [ "$(lanes_java_feature "$LANES_JAVA")" -ge 23 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

lanes_find_jdk
