package io.fipsrelay.testkit;

/** Key algorithm of a test server identity. */
public enum KeyType {
    EC_P256,
    RSA_2048
}
