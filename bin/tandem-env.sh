# Sourced by the bin/ launchers: finds Java (17+, a JDK: Chronicle Map compiles code at runtime),
# builds the project on first use, and sets JAVA and JVM_OPTS. Not meant to be run directly.

TANDEM_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="$(command -v java || true)"
fi
if [ -z "$JAVA" ]; then
  echo "tandem: no java found; install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
JAVA_MAJOR="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')"
if [ -z "$JAVA_MAJOR" ] || [ "$JAVA_MAJOR" -lt 17 ]; then
  echo "tandem: Java $JAVA_MAJOR found at $JAVA, but Tandem needs 17 or newer" >&2
  exit 1
fi

JVM_OPTS=("@$TANDEM_HOME/bin/jvm.options")
if [ "$JAVA_MAJOR" -ge 23 ]; then
  JVM_OPTS+=("@$TANDEM_HOME/bin/jvm23.options")
fi

# tandem_build MODULE: builds MODULE (and what it needs) when its jar is missing.
tandem_build() {
  local module="$1"
  if ls "$TANDEM_HOME/$module/target/"*.jar 2>/dev/null | grep -qv -e '-tests.jar' && [ -d "$TANDEM_HOME/$module/target/lib" ]; then
    return 0
  fi
  echo "tandem: building $module (first run)..." >&2
  local mvn="$TANDEM_HOME/mvnw"
  if command -v mvn >/dev/null 2>&1 && [ -z "${TANDEM_USE_WRAPPER:-}" ]; then mvn="mvn"; fi
  if ! (cd "$TANDEM_HOME" && "$mvn" -q -B -Dstyle.color=never -pl "$module" -am package -DskipTests </dev/null >&2); then
    echo "tandem: build failed" >&2
    exit 1
  fi
}

# tandem_classpath MODULE
tandem_classpath() {
  local module="$1"
  local jar
  jar="$(ls "$TANDEM_HOME/$module/target/"tandem-"$module"-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1)"
  echo "$jar:$TANDEM_HOME/$module/target/lib/*"
}
