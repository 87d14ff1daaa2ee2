package io.fipsrelay.core.settings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which intake hosts are reached directly although a proxy is configured ({@code upstream.proxy.no-proxy}).
 *
 * <p>Entries: an exact name ("intake.example.com" matches that name only), a suffix
 * (".example.com" or "*.example.com" match every name below example.com, not example.com itself),
 * "*" (everything), an IP address ("10.0.0.5", "::1") or a CIDR range ("10.0.0.0/8", "fd00::/8").
 * Addresses and ranges match intake hosts written as address literals: through a proxy the relay
 * does not resolve names, so a name is never turned into an address to be matched. Matching is
 * case-insensitive and ignores a trailing dot. Built once per configuration: a lookup is a set
 * probe and a few suffix or prefix comparisons.
 */
public final class NoProxyMatcher {

    private static final String NAME = "[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*";

    private record Range(byte[] network, int prefixBits, String text) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<String> entries;
    private final boolean everything;
    private final Set<String> exactNames;
    private final List<String> suffixes;
    private final List<Range> ranges;

    private NoProxyMatcher(List<String> entries, boolean everything, Set<String> exactNames, List<String> suffixes,
                           List<Range> ranges) {
        this.entries = List.copyOf(entries);
        this.everything = everything;
        this.exactNames = Set.copyOf(exactNames);
        this.suffixes = List.copyOf(suffixes);
        this.ranges = List.copyOf(ranges);
    }

    /** Nothing is excluded: every host goes through the proxy. */
    public static NoProxyMatcher none() {
        return new NoProxyMatcher(List.of(), false, Set.of(), List.of(), List.of());
    }

    /** Parses the entries; the first one that is none of the forms above is refused with its text. */
    public static NoProxyMatcher parse(List<String> entries) {
        boolean everything = false;
        Set<String> exact = new HashSet<>();
        List<String> suffixes = new ArrayList<>();
        List<Range> ranges = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            kept.add(e);
            if (e.equals("*")) {
                everything = true;
            } else if (e.indexOf('/') >= 0 && !e.contains("://")) {
                ranges.add(range(e, raw));
            } else if (isAddressLiteral(e)) {
                byte[] a = address(unbracket(e), raw);
                ranges.add(new Range(a, a.length * 8, e));
            } else {
                String name = e.startsWith("*.") ? e.substring(1) : e;
                name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
                boolean suffix = name.startsWith(".");
                String bare = suffix ? name.substring(1) : name;
                if (!bare.matches(NAME)) {
                    throw new IllegalArgumentException("not a host name, .suffix, *.suffix, IP address or CIDR range: \""
                            + raw.trim() + "\"" + (bare.indexOf(':') >= 0 ? " (no ports here: an entry covers every port)" : ""));
                }
                if (suffix) {
                    suffixes.add("." + bare);
                } else {
                    exact.add(bare);
                }
            }
        }
        return new NoProxyMatcher(kept, everything, exact, suffixes, ranges);
    }

    /** Whether this intake host is reached directly instead of through the proxy. */
    public boolean matches(String host) {
        if (everything) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (isAddressLiteral(h)) {
            if (ranges.isEmpty()) {
                return false;
            }
            byte[] a;
            try {
                a = address(unbracket(h), host);
            } catch (IllegalArgumentException e) {
                return false;
            }
            for (Range r : ranges) {
                if (r.contains(a)) {
                    return true;
                }
            }
            return false;
        }
        if (exactNames.contains(h)) {
            return true;
        }
        for (String s : suffixes) {
            if (h.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entries as written (lower case), for status pages. */
    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    private static Range range(String e, String raw) {
        int slash = e.indexOf('/');
        String addr = unbracket(e.substring(0, slash));
        if (!isAddressLiteral(addr)) {
            throw new IllegalArgumentException("not a CIDR range (address/prefix-length): \"" + raw.trim() + "\"");
        }
        byte[] a = address(addr, raw);
        int bits;
        try {
            bits = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException x) {
            throw new IllegalArgumentException("not a CIDR prefix length: \"" + raw.trim() + "\"");
        }
        if (bits < 0 || bits > a.length * 8) {
            throw new IllegalArgumentException("CIDR prefix length out of range 0.." + a.length * 8 + ": \"" + raw.trim() + "\"");
        }
        return new Range(a, bits, e);
    }

    private static String unbracket(String s) {
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }

    /** An IPv4 dotted quad or an IPv6 literal (bracketed or not); names never look like either. */
    private static boolean isAddressLiteral(String s) {
        String u = unbracket(s);
        return u.matches("[0-9]+(\\.[0-9]+){3}") || (u.indexOf(':') >= 0 && u.matches("[0-9a-f:.]+"));
    }

    /** The bytes of an address literal; InetAddress does no DNS lookup for a literal. */
    private static byte[] address(String literal, String raw) {
        if (literal.indexOf(':') < 0) {
            String[] parts = literal.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255 || parts[i].length() > 3) {
                    throw new IllegalArgumentException("not an IPv4 address: \"" + raw.trim() + "\"");
                }
                b[i] = (byte) v;
            }
            return b;
        }
        try {
            // An IPv4-mapped literal (::ffff:10.0.0.1) comes back as its IPv4 address and matches IPv4 ranges.
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: \"" + raw.trim() + "\"");
        }
    }
}
