#!/bin/sh
# Makes the Java runtime bundled with the relay: jlink of the building JDK's own modules, only those
# the relay uses (distribution/pom.xml, runtime.modules). The list is what jdeps finds the shipped
# jars use, run in the assembled folder for each jar of lib/ and plugins/:
#   jdeps --multi-release 17 --ignore-missing-deps --print-module-deps --module-path lib -cp 'lib/*' JAR
# (java.desktop is java.beans, used by Typesafe Config and Jackson), plus what is only looked up at
# run time: jdk.zipfs (PF4J reads plugin jars as zip file systems) and jdk.management.agent (local
# JMX for jconsole and jcmd, the relay's metrics are published there), and jdk.jfr (Flight Recorder:
# what docs/performance.md profiles the relay with, there for an operator's `jcmd <pid> JFR.start`). The jars (bc-fips and the
# others) stay outside the image, unmodified, on the class path: the FIPS module's boundary is its
# jar. Skipped when the image for the same JDK and module
# list is already there, as jlink takes a while.
#
# The image's native code needs the C library the JDK was built against: a JDK built on a recent
# distribution (Debian 12: glibc 2.34) gives a runtime that RHEL 8 (2.28) or SUSE 15 (2.31) cannot
# run. Release builds jlink a JDK built for an old glibc (Eclipse Temurin 17: glibc 2.17), with
# mvn -Druntime.jdk=/path/to/temurin-17 package. The newest glibc symbol version the image uses is
# written to OUTPUT_DIR.properties (runtime.glibc) and becomes the packages' libc dependency, so a
# host whose glibc is too old is refused by apt/dnf/zypper instead of failing at start.
#   jlink-runtime.sh JAVA_HOME OUTPUT_DIR MODULES
set -eu
java_home=$1
out=$2
modules=$3
stamp="$out.stamp"
want="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | grep -E '^ +java\.(vm\.)?version = ' | tr -d ' ' | tr '\n' ' ')$modules"
if [ -x "$out/bin/java" ] && [ -f "$out.properties" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
rm -rf "$out" "$stamp"
if [ ! -f "$java_home/jmods/java.base.jmod" ]; then
  echo "jlink-runtime.sh: $java_home has no jmods/ to make the bundled runtime from (a JRE, or a JDK whose" \
    "jmods are a separate package, e.g. Fedora's java-17-openjdk-jmods): install them, or name a full JDK" \
    "with mvn -Druntime.jdk=/path/to/jdk-17" >&2
  exit 1
fi
# --generate-cds-archive: the JDK's default class data sharing archive, which a plain jlink image
# lacks and the system JDK it is compared with has (docs/operations.md, "Sizes and cost"). No
# --compress: the packages compress anyway, and compressed resources are inflated at each load.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --generate-cds-archive --output "$out"
# The archive for heaps over 32 GB (no compressed oops): the relay's heap is a fraction of that.
rm -f "$out/lib/server/classes_nocoops.jsa"
# The launcher uses the image only on a machine of its architecture (uname -m); some JDKs' release
# files do not say it.
if ! grep -q '^OS_ARCH=' "$out/release"; then
  arch=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *os\.arch = //p')
  [ "$arch" = amd64 ] && arch=x86_64
  printf 'OS_ARCH="%s"\n' "$arch" >> "$out/release"
fi
# jlink writes some files read-only; a later build must be able to replace the copies of them.
chmod -R u+w "$out"
# GLIBC_2.x names in the native code are the versions of the symbols it links against (the
# dynamic string table names each one it needs).
glibc=$(cat "$out/bin/java" "$out"/lib/*.so "$out"/lib/server/*.so | grep -a -o 'GLIBC_2\.[0-9][0-9]*' |
  sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -u | tail -n 1)
printf 'runtime.glibc=%s\n' "$glibc" > "$out.properties"
printf '%s\n' "$want" > "$stamp"
