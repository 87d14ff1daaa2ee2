package io.fipsrelay.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link TlsRecordBenchmark} with bc-fips's native library switched off
 * ({@code -Dorg.bouncycastle.native.cpu_variant=java}): the pure-Java AES and GHASH of the module,
 * what a platform without a native build of the module gets.
 */
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xms512m", "-Xmx512m",
        "-Dorg.bouncycastle.native.cpu_variant=java"})
public class TlsRecordJavaBenchmark extends TlsRecordBenchmark {
}
