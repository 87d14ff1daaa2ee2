package io.fipsrelay.testkit;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager holding exactly one key and chain in memory, so no KeyStore (and no PBE of a
 * PKCS#12 file) is involved. It offers its alias only for the key type SunJSSE asks for
 * ("EC" or "RSA"), which keeps handshake negotiation honest.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS = "server";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    /** Whether it also answers a server's certificate request (an mTLS client); servers only otherwise. */
    private final boolean client;

    SingleKeyManager(PrivateKey key, List<X509Certificate> chain) {
        this(key, chain, false);
    }

    SingleKeyManager(PrivateKey key, List<X509Certificate> chain, boolean client) {
        this.key = key;
        this.chain = chain.toArray(new X509Certificate[0]);
        this.client = client;
    }

    private String clientAliasFor(String[] keyTypes) {
        if (client && keyTypes != null) {
            for (String type : keyTypes) {
                if (aliasFor(type) != null) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    private String aliasFor(String keyType) {
        return keyType != null && keyType.equals(key.getAlgorithm()) ? ALIAS : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = client ? aliasFor(keyType) : null;
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return clientAliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return clientAliasFor(keyTypes);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
